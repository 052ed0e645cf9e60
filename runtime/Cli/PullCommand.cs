using System.CommandLine;
using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Cli;
using ModelOperator.Runtime.Store;
using ModelOperator.Runtime.Store.NodeCache;
using ModelOperator.Runtime.Store.S3;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// <c>pull &lt;ref&gt; -o &lt;dir&gt; [--plain-http] [--ca-file PEM] [--force]</c>: fetches and verifies a model package (from a
/// registry or an S3 prefix) through the cache. <c>pull oci://… --model-cache-dir DIR</c> instead fills a node cache as
/// <c>serve --model-cache-dir</c> reads it (the operator's prefetch pods): it exits 0 once the digest's entry there is
/// verified, pulling it only when the cache has no good copy.
/// </summary>
internal sealed class PullCommand : Command
{
    private readonly Argument<string> _reference = new("registry/repo:tag|@sha256:…|s3://bucket/prefix") { Description = "The package to pull: from an OCI registry, or a packed layout under an S3 prefix" };
    private readonly Option<string> _output = new Option<string>("--output", "-o") { Description = "The directory the package is written to", HelpName = "DIR" }.LastWins();
    private readonly Option<bool> _plainHttp = Flag("--plain-http", "Talk to the registry over HTTP instead of HTTPS");
    private readonly Option<string> _caFile = Text("--ca-file", "A PEM bundle of extra CAs trusted for the registry or S3 endpoint", "PEM");
    private readonly Option<bool> _force = Flag("--force", "Replace a non-empty output directory");
    private readonly Option<bool> _quiet = Flag("--quiet", "Log only warnings and errors (no progress)");
    private readonly Option<string> _modelCacheDir = Text("--model-cache-dir",
        "Pull an oci:// model into this node cache (as serve --model-cache-dir reads it) instead of an output directory", "DIR");
    private readonly Option<long?> _modelCacheMaxBytes = OptionalLong("--model-cache-max-bytes",
        "The node cache's size limit; past it, least recently used models no running pod uses are evicted", 1);
    private readonly S3CliOptions _s3 = new();

    public PullCommand() : base("pull", "Pull a model package from an OCI registry or an S3 prefix, verified by digest, through the local cache")
    {
        Arguments.Add(_reference);
        foreach (var option in (Option[])[_output, _modelCacheDir, _modelCacheMaxBytes, _plainHttp, _caFile, _force, _quiet, .. _s3.All]) Options.Add(option);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var target = result.GetRequiredValue(_reference);
        var cacheDir = result.GetValue(_modelCacheDir);
        var output = result.GetValue(_output);
        if (cacheDir is not null && output is not null) throw new CliUsageException("give either --output or --model-cache-dir, not both");
        if (cacheDir is null && output is null) throw new CliUsageException("pull needs --output DIR (or --model-cache-dir DIR for a node cache)");
        if (cacheDir is null && result.GetValue(_modelCacheMaxBytes) is not null) throw new CliUsageException("--model-cache-max-bytes needs --model-cache-dir");
        using var logging = CliLogging.Create(result.GetValue(_quiet));
        var logger = logging.CreateLogger("model-runtime.pull");
        if (cacheDir is not null) return await IntoNodeCacheAsync(result, target, cacheDir, logging, cancellationToken);
        var outputDir = output!;
        if (_s3.Settings(result, target) is { } settings)
        {
            var location = S3Location.Parse(target);
            if (result.GetValue(_plainHttp)) throw S3Settings.PlainHttpRefused();
            using var store = await S3ObjectStore.ConnectAsync(settings, cancellationToken, caFile: result.GetValue(_caFile));
            var package = await S3Package.ReadAsync(store, location, cancellationToken);
            var config = await package.PullAsync(store, ModelCache.Default(), outputDir, result.GetValue(_force), ConsoleProgress.ForConsole(logger), cancellationToken);
            Console.WriteLine($"Pulled {location} ({config.Descriptor.Name} {config.Descriptor.Version}, {package.ManifestDescriptor.Digest}) into " +
                $"{Path.GetFullPath(outputDir)}: {config.Config.FileName}");
            return 0;
        }
        var reference = ImageReference.Parse(target);
        using var http = RegistryConnection.CreateHttpClient(result.GetValue(_caFile));
        var client = RegistryConnection.Connect(http, reference, result.GetValue(_plainHttp), logger);
        var puller = new ModelPuller(client, ModelCache.Default(), ConsoleProgress.ForConsole(logger), logger);
        var pulled = await puller.PullAsync(outputDir, result.GetValue(_force), cancellationToken);
        Console.WriteLine($"Pulled {pulled.Reference} ({pulled.Config.Descriptor.Name} {pulled.Config.Descriptor.Version}) into " +
            $"{Path.GetFullPath(outputDir)}: {pulled.Config.Config.FileName}");
        return 0;
    }

    private async Task<int> IntoNodeCacheAsync(ParseResult result, string target, string cacheDir, ILoggerFactory logging, CancellationToken cancellationToken)
    {
        if (!target.StartsWith("oci://", StringComparison.OrdinalIgnoreCase))
            throw new CliUsageException($"--model-cache-dir applies only to oci:// models, not '{target}'");
        if (result.GetValue(_force)) throw new CliUsageException("--force applies to --output; a node cache replaces a damaged entry by itself");
        var cache = new NodeModelCache(cacheDir, result.GetValue(_modelCacheMaxBytes), logging.CreateLogger("model-runtime.pull"));
        var resolved = await new OciModelSource(logging).ResolveAsync(target,
            new ModelSourceOptions(PlainHttp: result.GetValue(_plainHttp), CaFile: result.GetValue(_caFile), NodeCache: cache,
                CacheOwner: Environment.MachineName + "-prefetch"), cancellationToken);
        resolved.Lease?.Dispose(); // nothing serves it here; the entry is kept, and evictable like any unused one
        var fetch = resolved.Fetch!;
        Console.WriteLine($"{(fetch.Cache == ModelFetch.Hit ? "Found" : "Pulled")} {resolved.Digest} ({resolved.Name} {resolved.Version}) in the node cache " +
            $"{cache.Root}: cache={fetch.Cache} bytesPulled={fetch.BytesPulled}{(fetch.Reason is null ? "" : $" ({fetch.Reason})")}");
        return 0;
    }
}
