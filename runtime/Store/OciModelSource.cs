using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store.NodeCache;

namespace ModelOperator.Runtime.Store;

/// <summary>
/// A model package in an OCI registry, <c>oci://registry/repo:tag</c> or <c>…@sha256:…</c>: pulled and verified into the
/// digest-keyed cache, then loaded from there (a second start with the same digest downloads nothing). With a node
/// cache (<c>--model-cache-dir</c>), the pull goes through it: one pull per digest per node, shared by its pods.
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
        if (options.NodeCache is { } node) return await ThroughNodeCacheAsync(node, client, parsed, options.CacheOwner, logger, cancellationToken);

        var counting = new CountingProgress(ConsoleProgress.ForConsole(logger));
        var puller = new ModelPuller(client, cache ?? ModelCache.Default(), counting, logger);
        var pulled = await puller.PullAsync(outputDir: null, force: false, cancellationToken);
        return new ResolvedModel(pulled.CachedModelPath, pulled.ManifestDigest, pulled.Config.Descriptor.Name, pulled.Config.Descriptor.Version,
            pulled.Config.Config.InputShapes, new ModelFetch(ModelFetch.Off, counting.Bytes, pulled.ManifestDigest));
    }

    private static async Task<ResolvedModel> ThroughNodeCacheAsync(NodeModelCache node, OciRegistryClient client, ImageReference reference,
        string owner, ILogger logger, CancellationToken ct)
    {
        var counting = new CountingProgress(ConsoleProgress.ForConsole(logger));
        var puller = new ModelPuller(client, node.Blobs, counting, logger);
        // A digest-pinned reference (as the operator writes it) is keyed without asking the registry; a tag costs one manifest request.
        var digest = reference.Digest ?? (await puller.FetchManifestAsync(reference, ct)).Digest;
        var pinned = reference.WithDigest(digest);
        var opening = await node.OpenAsync(digest, owner, async token =>
        {
            var pulled = await new ModelPuller(client, node.Blobs, counting, logger).PullAsync(outputDir: null, force: false, token);
            var blobs = node.Blobs;
            var files = new List<CachedFile>
            {
                await NodeCacheEntry.DescribeAsync(blobs.Root, blobs.BlobPath(pulled.ManifestDigest), token),
                NodeCacheEntry.Blob(blobs, pulled.ConfigBlob!),
                NodeCacheEntry.Blob(blobs, pulled.LayerBlob!),
            };
            if (Path.GetFullPath(pulled.CachedModelPath) != blobs.BlobPath(pulled.LayerBlob!.Digest))
                files.Add(await NodeCacheEntry.DescribeAsync(blobs.Root, pulled.CachedModelPath, token));
            var entry = new NodeCacheEntry(pulled.ManifestDigest, pinned.ToString(), Path.GetRelativePath(blobs.Root, pulled.CachedModelPath), files,
                pulled.Config.Descriptor.Name, pulled.Config.Descriptor.Version, pulled.Config.Config.InputShapes);
            return new NodeCacheFill(entry, counting.Bytes);
        }, ct);
        var e = opening.Entry;
        return new ResolvedModel(Path.Combine(node.Root, e.ModelPath), e.Digest, e.Name, e.Version, e.InputShapes, opening.Fetch, opening.Lease);
    }
}
