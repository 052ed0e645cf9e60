using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ModelOperator.KubeDouble;

// kube-double [--port N] [--kubeconfig PATH]: runs the Kubernetes API double in the foreground until Ctrl-C.
var port = 0;
string? kubeconfig = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p): port = p; i++; break;
        case "--kubeconfig" when i + 1 < args.Length: kubeconfig = args[++i]; break;
        case "-h" or "--help":
            Console.WriteLine("usage: kube-double [--port N] [--kubeconfig PATH]");
            return 0;
        default:
            Console.Error.WriteLine($"kube-double: unknown argument '{args[i]}' (usage: kube-double [--port N] [--kubeconfig PATH])");
            return 2;
    }
}

using var loggerFactory = LoggerFactory.Create(b =>
{
    if (Console.IsOutputRedirected) b.AddJsonConsole(); else b.AddSimpleConsole(o => o.SingleLine = true);
});
var logger = loggerFactory.CreateLogger("kube-double");
await using var server = await KubeApiServer.StartAsync(new KubeApiServerOptions { Port = port, LoggerFactory = loggerFactory });
if (kubeconfig is not null) logger.LogInformation("Wrote kubeconfig {Path}", server.WriteKubeconfig(kubeconfig));
logger.LogInformation("Serving the Kubernetes API double at {Address}; Ctrl-C stops it", server.BaseAddress);
var stop = new TaskCompletionSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
await stop.Task;
logger.LogInformation("Stopped the Kubernetes API double");
return 0;
