using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>inspect &lt;dir|ref&gt; [--json] [--plain-http] [--ca-file PEM]</c>: shows a package's name, version, digest, size, signature and optimisation.</summary>
internal sealed class InspectCommand : ICliCommand
{
    public string Name => "inspect";
    public string Summary => "inspect <dir|registry/repo:tag> [--json] [--plain-http] [--ca-file PEM]";

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positionals.Count != 1) throw new CliUsageException("expected one package directory or reference: inspect <dir|ref>");
        var json = args.Flag("json");
        var plainHttp = args.Flag("plain-http");
        var caFile = args.Option("ca-file");
        var quiet = args.Flag("quiet");
        args.RejectUnknown();
        return CommandErrors.RunAsync(Name, async () =>
        {
            var target = args.Positionals[0];
            if (string.IsNullOrWhiteSpace(target)) throw new PackageException("the package directory or reference is empty");
            PackageSummary summary;
            if (Directory.Exists(target) || !ImageReference.LooksLikeReference(target))
            {
                summary = await PackageInspector.FromDirectoryAsync(target, cancellationToken);
            }
            else
            {
                var reference = ImageReference.Parse(target);
                using var logging = CliLogging.Create(quiet || json);
                var logger = logging.CreateLogger("model-runtime.inspect");
                using var http = RegistryConnection.CreateHttpClient(caFile);
                var client = RegistryConnection.Connect(http, reference, plainHttp, logger);
                summary = await PackageInspector.FromRegistryAsync(client, ModelCache.Default(), logger, cancellationToken);
            }
            Console.Write(json ? summary.ToJson() + Environment.NewLine : summary.ToTable());
            return 0;
        });
    }
}
