using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>push &lt;dir&gt; &lt;registry/repo:tag&gt; [--plain-http] [--ca-file PEM]</c>: publishes a packed model; prints the digest reference.</summary>
internal sealed class PushCommand : ICliCommand
{
    public string Name => "push";
    public string Summary => "push <dir> <registry/repo:tag> [--plain-http] [--ca-file PEM]";

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positionals.Count != 2) throw new CliUsageException("expected a package directory and a reference: push <dir> <registry/repo:tag>");
        var plainHttp = args.Flag("plain-http");
        var caFile = args.Option("ca-file");
        var quiet = args.Flag("quiet");
        args.RejectUnknown();
        return CommandErrors.RunAsync(Name, async () =>
        {
            var reference = ImageReference.Parse(args.Positionals[1]);
            using var logging = CliLogging.Create(quiet);
            var logger = logging.CreateLogger("model-runtime.push");
            using var http = RegistryConnection.CreateHttpClient(caFile);
            var client = RegistryConnection.Connect(http, reference, plainHttp, logger);
            var result = await new ModelPusher(client, ConsoleProgress.ForConsole(logger), logger).PushAsync(args.Positionals[0], cancellationToken);
            Console.WriteLine(reference with { Tag = null, Digest = result.ManifestDigest });
            return 0;
        });
    }
}
