using System.Runtime.InteropServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster;
using ModelOperator.DevCluster.Kubelet;
using ModelOperator.DevCluster.Nodes;
using ModelOperator.DevCluster.Prometheus;

// dev-cluster: runs the API double, the node simulator and (optionally) the operator (helm-installed pods, or a host
// process) and Prometheus in the foreground until Ctrl-C or SIGTERM; the kubeconfig appears only once everything is ready.
DevClusterFlags flags;
List<NodeConfig> nodes;
try
{
    flags = DevClusterFlags.Parse(args);
    nodes = flags.NodesFile is { } file ? NodeConfigFile.Load(file) : NodeConfig.Defaults();
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException)
{
    Console.Error.WriteLine($"dev-cluster: {e.Message}");
    return 2;
}

using var loggers = LoggerFactory.Create(b =>
{
    b.AddFilter("Microsoft", LogLevel.Warning);
    if (Console.IsOutputRedirected) b.AddJsonConsole(); else b.AddSimpleConsole(o => o.SingleLine = true);
});
var logger = loggers.CreateLogger("dev-cluster");
var state = Path.GetFullPath(flags.StateDirectory);
var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

ContainerRuntimeOptions? containers = null;
if (flags.Containers)
{
    containers = new ContainerRuntimeOptions();
    if (PodmanRuntime.Version(containers) is { } version) logger.LogInformation("Containers: pods run as podman containers ({Version}), images pulled through {Mirrors}", version, string.Join(", ", containers.Mirrors.Select(m => $"{m.Key} -> {m.Value}")));
    else
    {
        logger.LogWarning("Containers: podman cannot run here (make deps installs it); pods run as processes instead");
        containers = null;
    }
}
await using var cluster = await DevClusterHost.StartAsync(new DevClusterOptions
{
    StateDirectory = state, Nodes = nodes, ApiPort = flags.ApiPort, PublishKubeconfigWhenReady = true,
    PodCidr = flags.PodCidr ?? new DevClusterOptions().PodCidr, ServiceCidr = flags.ServiceCidr ?? new DevClusterOptions().ServiceCidr,
    Kubelet = new KubeletOptions { Containers = containers },
}, loggers: loggers);
var children = new List<ChildProcess>();
var exitCode = 0;
try
{
    if (flags.CrdDirectory is { } crds) await ClusterSetup.ApplyCrdsAsync(cluster.Client, crds, stop.Token);
    await ClusterSetup.WaitForNodesAsync(cluster.Client, nodes.Count, stop.Token);
    if (flags.OperatorPath is { } operatorPath)
    {
        var address = $"http://127.0.0.1:{ClusterSetup.FreeLoopbackPort()}";
        children.Add(ChildProcess.Start("operator", operatorPath,
            ["--kubeconfig", cluster.KubeconfigPath, "--identity", "model-operator-devcluster", "--http-address", address],
            Path.Combine(state, "operator.log"), logger));
        await ClusterSetup.WaitForLeaderAsync(cluster.Client, "model-operator", stop.Token);
        logger.LogInformation("Operator holds the leader lease; endpoints at {Address}", address);
    }
    V1Pod? leader = null;
    if (flags.OperatorChart is { } chart)
    {
        await HelmOperatorInstall.InstallAsync(flags.HelmPath, Path.GetFullPath(chart), cluster.KubeconfigPath, state, Path.Combine(state, "helm-install.log"), stop.Token);
        logger.LogInformation("Installed Helm release {Namespace}/{Release} from {Chart}", HelmOperatorInstall.Namespace, HelmOperatorInstall.Release, chart);
        leader = await HelmOperatorInstall.WaitForLeadingPodAsync(cluster.Client, TimeSpan.FromMinutes(4), stop.Token);
        logger.LogInformation("Operator pod {Pod} holds the leader lease and is Ready node={Node} ip={PodIp}", leader.Name(), leader.Spec.NodeName, leader.Status.PodIP);
    }
    if (flags.PrometheusPath is { } prometheus)
    {
        var dir = Path.Combine(state, "prometheus");
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, PrometheusConfig.Render(PrometheusTargets.PathIn(state)), stop.Token);
        children.Add(ChildProcess.Start("prometheus", prometheus,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address={flags.PrometheusAddress}"],
            Path.Combine(dir, "prometheus.log"), logger));
    }
    cluster.PublishKubeconfig();
    var kubeconfig = Path.Combine(state, "kubeconfig");
    Console.WriteLine($"""

        Dev cluster ready: API {cluster.Api.BaseAddress}, {nodes.Count} nodes ({string.Join(", ", nodes.Select(n => n.Name))})
          export KUBECONFIG={kubeconfig}
          kubectl get nodes -o wide
          kubectl get pods,svc,endpointslices -o wide
        Service cluster IPs: {cluster.Context.Options.ServiceCidr} (reachable from this machine); pod IPs: {cluster.Context.Options.PodCidr}
        {OperatorLine()}
        {(flags.PrometheusPath is null ? "Prometheus: off" : $"Prometheus: http://{flags.PrometheusAddress} scraping {PrometheusTargets.PathIn(state)}")}
        Ctrl-C stops everything.

        """);
    string OperatorLine() => (flags, leader) switch
    {
        ({ OperatorPath: { } path }, _) => $"Operator: host process {path} (log {Path.Combine(state, "operator.log")})",
        (_, { } pod) => $"""
            Operator: Helm release {HelmOperatorInstall.Namespace}/{HelmOperatorInstall.Release} ({flags.OperatorChart}); leader pod {pod.Name()} on {pod.Spec.NodeName} at {pod.Status.PodIP}
              kubectl -n {HelmOperatorInstall.Namespace} get pods -o wide; kubectl -n {HelmOperatorInstall.Namespace} logs {pod.Name()}; helm -n {HelmOperatorInstall.Namespace} status {HelmOperatorInstall.Release}
            """,
        _ => "Operator: not started",
    };
    var exits = children.Select(c => c.Exited).ToList();
    var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => -1, TaskScheduler.Default);
    var first = await Task.WhenAny([stopped, .. exits]);
    if (first != stopped) logger.LogError("A child process exited with code {Code}; stopping the dev cluster", await first);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
catch (Exception e) when (e is InvalidOperationException or TimeoutException)
{
    logger.LogError("Failed to start the dev cluster: {Problem}", e.Message);
    exitCode = 1;
}
finally
{
    logger.LogInformation("Stopping the dev cluster");
    foreach (var child in Enumerable.Reverse(children)) await child.DisposeAsync();
    File.Delete(Path.Combine(state, "kubeconfig"));
    File.Delete(Path.Combine(state, "kubeconfig.internal"));
}
return exitCode;
