using System.CommandLine;
using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store.S3;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>inspect &lt;dir|ref&gt; [--json] [--plain-http] [--ca-file PEM]</c>: shows a package's name, version, digest, size, signature and optimisation.</summary>
internal sealed class InspectCommand : Command
{
    private readonly Argument<string> _target = new("dir|registry/repo:tag|s3://bucket/prefix") { Description = "A package directory, or a reference read from the registry or S3 without pulling the model" };
    private readonly Option<bool> _json = Flag("--json", "Print JSON instead of a table");
    private readonly Option<bool> _plainHttp = Flag("--plain-http", "Talk to the registry over HTTP instead of HTTPS");
    private readonly Option<string> _caFile = Text("--ca-file", "A PEM bundle of extra CAs trusted for the registry or S3 endpoint", "PEM");
    private readonly Option<bool> _quiet = Flag("--quiet", "Log only warnings and errors");
    private readonly S3CliOptions _s3 = new();

    public InspectCommand() : base("inspect", "Show a package's name, version, digest, size, signature, inputs and outputs")
    {
        Arguments.Add(_target);
        foreach (var option in (Option[])[_json, _plainHttp, _caFile, _quiet, .. _s3.All]) Options.Add(option);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var target = result.GetRequiredValue(_target);
        var json = result.GetValue(_json);
        if (string.IsNullOrWhiteSpace(target)) throw new PackageException("the package directory or reference is empty");
        PackageSummary summary;
        if (_s3.Settings(result, target) is { } settings)
        {
            if (result.GetValue(_plainHttp)) throw S3Settings.PlainHttpRefused();
            using var store = await S3ObjectStore.ConnectAsync(settings, cancellationToken, caFile: result.GetValue(_caFile));
            var package = await S3Package.ReadAsync(store, S3Location.Parse(target), cancellationToken);
            summary = PackageSummary.From(target, package.ManifestDescriptor.Digest, package.Layer.Size, package.Config);
            if (package.Config.SignatureFromModel)
                summary = summary with { SignatureSource = "model when pulled (the config has none: made by another ModelPack tool; inspect does not download the model)" };
        }
        else if (Directory.Exists(target) || !ImageReference.LooksLikeReference(target))
        {
            summary = await PackageInspector.FromDirectoryAsync(target, cancellationToken);
        }
        else
        {
            var reference = ImageReference.Parse(target);
            using var logging = CliLogging.Create(result.GetValue(_quiet) || json);
            var logger = logging.CreateLogger("model-runtime.inspect");
            using var http = RegistryConnection.CreateHttpClient(result.GetValue(_caFile));
            var client = RegistryConnection.Connect(http, reference, result.GetValue(_plainHttp), logger);
            summary = await PackageInspector.FromRegistryAsync(client, ModelCache.Default(), logger, cancellationToken);
        }
        Console.Write(json ? summary.ToJson() + Environment.NewLine : summary.ToTable());
        return 0;
    }
}
