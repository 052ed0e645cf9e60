using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store;

/// <summary>
/// A model package in an OCI registry, <c>oci://registry/repo:tag</c> or <c>…@sha256:…</c>: pulled and verified into the
/// digest-keyed cache, then loaded from there (a second start with the same digest downloads nothing).
/// </summary>
internal sealed class OciModelSource(ILoggerFactory? loggerFactory = null, ModelCache? cache = null, DockerCredentials? credentials = null) : IModelSource
{
    public bool CanResolve(string reference) => reference.StartsWith("oci://", StringComparison.OrdinalIgnoreCase);

    public async Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        var parsed = ImageReference.Parse(reference);
        using var ownLogging = loggerFactory is null ? CliLogging.Create() : null;
        var logger = (loggerFactory ?? ownLogging!).CreateLogger("model-runtime.pull");
        using var http = RegistryConnection.CreateHttpClient(options.CaFile);
        var client = RegistryConnection.Connect(http, parsed, options.PlainHttp, logger, credentials);
        var puller = new ModelPuller(client, cache ?? ModelCache.Default(), ConsoleProgress.ForConsole(logger), logger);
        var pulled = await puller.PullAsync(outputDir: null, force: false, cancellationToken);
        return new ResolvedModel(pulled.CachedModelPath, pulled.ManifestDigest, pulled.Config.Descriptor.Name, pulled.Config.Descriptor.Version,
            pulled.Config.Config.InputShapes);
    }
}
