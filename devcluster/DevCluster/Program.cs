using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster;

// dev-cluster: runs the API double and the node simulator in the foreground until Ctrl-C or SIGTERM.
using var loggers = LoggerFactory.Create(b =>
{
    if (Console.IsOutputRedirected) b.AddJsonConsole(); else b.AddSimpleConsole(o => o.SingleLine = true);
});
var logger = loggers.CreateLogger("dev-cluster");
await using var cluster = await DevClusterHost.StartAsync(new DevClusterOptions { StateDirectory = Path.GetFullPath(".devcluster") }, loggers: loggers);
logger.LogInformation("Dev cluster API at {Address}; kubeconfig {Path}", cluster.Api.BaseAddress, cluster.KubeconfigPath);
var stop = new TaskCompletionSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
await stop.Task;
logger.LogInformation("Stopping the dev cluster");
return 0;
