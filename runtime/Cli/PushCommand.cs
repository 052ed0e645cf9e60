using System.CommandLine;
using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>push &lt;dir&gt; &lt;registry/repo:tag&gt; [--plain-http] [--ca-file PEM]</c>: publishes a packed model; prints the digest reference.</summary>
internal sealed class PushCommand : Command
{
    private readonly Argument<string> _directory = new("dir") { Description = "The package directory (as pack writes it)" };
    private readonly Argument<string> _reference = new("registry/repo:tag") { Description = "Where to push it" };
    private readonly Option<bool> _plainHttp = Flag("--plain-http", "Talk to the registry over HTTP instead of HTTPS");
    private readonly Option<string> _caFile = Text("--ca-file", "A PEM bundle of extra CAs trusted for the registry", "PEM");
    private readonly Option<bool> _quiet = Flag("--quiet", "Log only warnings and errors (no progress)");

    public PushCommand() : base("push", "Push a packed model to an OCI registry; prints the pushed reference by digest")
    {
        Arguments.Add(_directory);
        Arguments.Add(_reference);
        foreach (var option in new Option[] { _plainHttp, _caFile, _quiet }) Options.Add(option);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(result.GetRequiredValue(_reference));
        using var logging = CliLogging.Create(result.GetValue(_quiet));
        var logger = logging.CreateLogger("model-runtime.push");
        using var http = RegistryConnection.CreateHttpClient(result.GetValue(_caFile));
        var client = RegistryConnection.Connect(http, reference, result.GetValue(_plainHttp), logger);
        var pushed = await new ModelPusher(client, ConsoleProgress.ForConsole(logger), logger).PushAsync(result.GetRequiredValue(_directory), cancellationToken);
        Console.WriteLine(reference with { Tag = null, Digest = pushed.ManifestDigest });
        return 0;
    }
}
