using System.CommandLine;
using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Cli;
using ModelOperator.Runtime.Store.S3;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>pull &lt;ref&gt; -o &lt;dir&gt; [--plain-http] [--ca-file PEM] [--force]</c>: fetches and verifies a model package (from a registry or an S3 prefix) through the cache.</summary>
internal sealed class PullCommand : Command
{
    private readonly Argument<string> _reference = new("registry/repo:tag|@sha256:…|s3://bucket/prefix") { Description = "The package to pull: from an OCI registry, or a packed layout under an S3 prefix" };
    private readonly Option<string> _output = new Option<string>("--output", "-o") { Description = "The directory the package is written to", HelpName = "DIR", Required = true }.LastWins();
    private readonly Option<bool> _plainHttp = Flag("--plain-http", "Talk to the registry over HTTP instead of HTTPS");
    private readonly Option<string> _caFile = Text("--ca-file", "A PEM bundle of extra CAs trusted for the registry or S3 endpoint", "PEM");
    private readonly Option<bool> _force = Flag("--force", "Replace a non-empty output directory");
    private readonly Option<bool> _quiet = Flag("--quiet", "Log only warnings and errors (no progress)");
    private readonly S3CliOptions _s3 = new();

    public PullCommand() : base("pull", "Pull a model package from an OCI registry or an S3 prefix, verified by digest, through the local cache")
    {
        Arguments.Add(_reference);
        foreach (var option in (Option[])[_output, _plainHttp, _caFile, _force, _quiet, .. _s3.All]) Options.Add(option);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var output = result.GetRequiredValue(_output);
        var target = result.GetRequiredValue(_reference);
        using var logging = CliLogging.Create(result.GetValue(_quiet));
        var logger = logging.CreateLogger("model-runtime.pull");
        if (_s3.Settings(result, target) is { } settings)
        {
            var location = S3Location.Parse(target);
            if (result.GetValue(_plainHttp)) throw S3Settings.PlainHttpRefused();
            using var store = await S3ObjectStore.ConnectAsync(settings, cancellationToken, caFile: result.GetValue(_caFile));
            var package = await S3Package.ReadAsync(store, location, cancellationToken);
            var config = await package.PullAsync(store, ModelCache.Default(), output, result.GetValue(_force), ConsoleProgress.ForConsole(logger), cancellationToken);
            Console.WriteLine($"Pulled {location} ({config.Descriptor.Name} {config.Descriptor.Version}, {package.ManifestDescriptor.Digest}) into " +
                $"{Path.GetFullPath(output)}: {config.Config.FileName}");
            return 0;
        }
        var reference = ImageReference.Parse(target);
        using var http = RegistryConnection.CreateHttpClient(result.GetValue(_caFile));
        var client = RegistryConnection.Connect(http, reference, result.GetValue(_plainHttp), logger);
        var puller = new ModelPuller(client, ModelCache.Default(), ConsoleProgress.ForConsole(logger), logger);
        var pulled = await puller.PullAsync(output, result.GetValue(_force), cancellationToken);
        Console.WriteLine($"Pulled {pulled.Reference} ({pulled.Config.Descriptor.Name} {pulled.Config.Descriptor.Version}) into " +
            $"{Path.GetFullPath(output)}: {pulled.Config.Config.FileName}");
        return 0;
    }
}
