using System.CommandLine;
using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>inspect &lt;dir|ref&gt; [--json] [--plain-http] [--ca-file PEM]</c>: shows a package's name, version, digest, size, signature and optimisation.</summary>
internal sealed class InspectCommand : Command
{
    private readonly Argument<string> _target = new("dir|registry/repo:tag") { Description = "A package directory, or a reference read from the registry without pulling the model" };
    private readonly Option<bool> _json = Flag("--json", "Print JSON instead of a table");
    private readonly Option<bool> _plainHttp = Flag("--plain-http", "Talk to the registry over HTTP instead of HTTPS");
    private readonly Option<string> _caFile = Text("--ca-file", "A PEM bundle of extra CAs trusted for the registry", "PEM");
    private readonly Option<bool> _quiet = Flag("--quiet", "Log only warnings and errors");

    public InspectCommand() : base("inspect", "Show a package's name, version, digest, size, signature, inputs and outputs")
    {
        Arguments.Add(_target);
        foreach (var option in new Option[] { _json, _plainHttp, _caFile, _quiet }) Options.Add(option);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var target = result.GetRequiredValue(_target);
        var json = result.GetValue(_json);
        if (string.IsNullOrWhiteSpace(target)) throw new PackageException("the package directory or reference is empty");
        PackageSummary summary;
        if (Directory.Exists(target) || !ImageReference.LooksLikeReference(target))
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
