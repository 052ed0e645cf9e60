using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>pull &lt;ref&gt; -o &lt;dir&gt; [--plain-http] [--ca-file PEM] [--force]</c>: fetches and verifies a model package through the cache.</summary>
internal sealed class PullCommand : ICliCommand
{
    public string Name => "pull";
    public string Summary => "pull <registry/repo:tag|@sha256:…> -o <dir> [--plain-http] [--ca-file PEM] [--force]";

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positionals.Count != 1) throw new CliUsageException("expected one reference: pull <registry/repo:tag> -o <dir>");
        var output = args.Required("output");
        var plainHttp = args.Flag("plain-http");
        var caFile = args.Option("ca-file");
        var force = args.Flag("force");
        var quiet = args.Flag("quiet");
        args.RejectUnknown();
        return CommandErrors.RunAsync(Name, async () =>
        {
            var reference = ImageReference.Parse(args.Positionals[0]);
            using var logging = CliLogging.Create(quiet);
            var logger = logging.CreateLogger("model-runtime.pull");
            using var http = RegistryConnection.CreateHttpClient(caFile);
            var client = RegistryConnection.Connect(http, reference, plainHttp, logger);
            var puller = new ModelPuller(client, ModelCache.Default(), ConsoleProgress.ForConsole(logger), logger);
            var pulled = await puller.PullAsync(output, force, cancellationToken);
            Console.WriteLine($"Pulled {pulled.Reference} ({pulled.Config.Descriptor.Name} {pulled.Config.Descriptor.Version}) into " +
                $"{Path.GetFullPath(output)}: {pulled.Config.Config.FileName}");
            return 0;
        });
    }
}
