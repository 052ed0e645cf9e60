using System.Runtime.InteropServices;
using k8s;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator;
using ModelOperator.Operator.Crd;

// model-operator [run] [flags]   runs the operator against the current kube context (or in-cluster config)
// model-operator crds [--output DIR]   writes the CRD generated from the API types
// model-operator --version             prints the version and the commit it was built from
if (args is ["--version"] or ["version"])
{
    Console.WriteLine($"model-operator {BuildVersion.Describe(typeof(OperatorHost).Assembly)}");
    return 0;
}
try
{
    var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
    var flags = OperatorFlags.Parse(command == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..]);
    return command switch
    {
        "crds" => WriteCrds(flags.Get("output") ?? "crds"),
        "run" => await RunAsync(flags),
        _ => throw new ArgumentException($"unknown command '{command}'; expected run or crds"),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"model-operator: {e.Message}");
    return 2;
}

static int WriteCrds(string directory)
{
    Directory.CreateDirectory(directory);
    var path = Path.Combine(directory, CrdGenerator.CrdName + ".yaml");
    File.WriteAllText(path, CrdGenerator.GenerateYaml());
    Console.WriteLine($"wrote {path}");
    return 0;
}

static async Task<int> RunAsync(OperatorFlags flags)
{
    using var loggers = LoggerFactory.Create(b =>
    {
        if (Console.IsOutputRedirected) b.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        else b.AddSimpleConsole(o => o.SingleLine = true);
    });
    var config = ClusterConnection.Configure(flags.Get("kubeconfig"));
    var defaults = new OperatorOptions();
    var options = new OperatorOptions
    {
        RuntimeImage = flags.Get("runtime-image") ?? Environment.GetEnvironmentVariable("MODELOPERATOR_RUNTIME_IMAGE") ?? defaults.RuntimeImage,
        Identity = flags.Get("identity") ?? Environment.GetEnvironmentVariable("POD_NAME") ?? defaults.Identity,
        LeaseNamespace = flags.Get("lease-namespace") ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? defaults.LeaseNamespace,
        LeaderElection = !flags.Has("no-leader-election"),
        HttpAddress = flags.Get("http-address") ?? defaults.HttpAddress,
        Workers = flags.GetInt("workers") ?? defaults.Workers,
        WatchNamespaces = flags.GetNamespaces("watch-namespaces"),
    };
    await using var host = await OperatorHost.StartAsync(config, options, loggers);
    using var stop = new CancellationTokenSource();
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
    var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => OperatorHost.StopReason.Stopped, TaskScheduler.Default);
    var reason = await await Task.WhenAny(host.Completion, stopped);
    return reason == OperatorHost.StopReason.LeadershipLost ? 1 : 0;
}
