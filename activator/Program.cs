using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ModelOperator.Activator;
using ModelOperator.Operator;
using ModelOperator.Operator.Api;

// model-activator [--version] [--kubeconfig PATH] [--address IP] [--http-port N] [--grpc-port N] [--metrics-port N] [--watch-namespaces NS,NS]
if (args.Contains("--version"))
{
    Console.WriteLine($"model-activator {ModelOperator.Cli.BuildVersion.Describe(typeof(ActivatorServer).Assembly)}");
    return 0;
}
var options = new ActivatorOptions();
// --flag=value is --flag value, as Kubernetes manifests usually write it.
args = args.SelectMany(a => a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=') is > 2 and var eq ? new[] { a[..eq], a[(eq + 1)..] } : [a]).ToArray();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    int Port(string flag) => int.TryParse(Next(), out var n) && n is > 0 and < 65536 ? n : throw new ArgumentException($"{flag} must be a port number between 1 and 65535, got '{args[i]}'");
    try
    {
        options = args[i] switch
        {
            "--kubeconfig" => options with { Kubeconfig = Next() },
            "--address" => options with { Address = System.Net.IPAddress.TryParse(Next(), out _) ? args[i] : throw new ArgumentException($"--address must be an IP address, got '{args[i]}'") },
            "--http-port" => options with { HttpPort = Port("--http-port") },
            "--grpc-port" => options with { GrpcPort = Port("--grpc-port") },
            "--metrics-port" => options with { MetricsPort = Port("--metrics-port") },
            "--watch-namespaces" => options with { WatchNamespaces = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
            "--help" or "-h" => throw new OperationCanceledException(),
            _ => throw new ArgumentException($"unknown option '{args[i]}'"),
        };
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("usage: model-activator [--version] [--kubeconfig PATH] [--address IP] [--http-port 8080] [--grpc-port 8081] [--metrics-port 9090] [--watch-namespaces NS,NS]");
        return 0;
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"model-activator: {e.Message}");
        return 2;
    }
}

using var loggers = LoggerFactory.Create(b =>
{
    b.AddFilter("Microsoft", LogLevel.Warning); // not a line per probe and per request: held requests log their own

    if (Console.IsOutputRedirected) b.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
    else b.AddSimpleConsole(o => o.SingleLine = true);
});
using var client = new k8s.Kubernetes(ClusterConnection.Configure(options.Kubeconfig));
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
await using var server = await ActivatorServer.StartAsync(options, client, loggers, stop.Token);
try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
return 0;
