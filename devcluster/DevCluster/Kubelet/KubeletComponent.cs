using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.KubeDouble.Metrics;
using ModelOperator.KubeDouble.PodExec;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The kubelet of every simulated node: watches pods bound to one of the cluster's nodes (spec.nodeName) through the
/// API and runs each in a <see cref="PodWorker"/> with its own loopback IP from the pod CIDR. When the cluster stops,
/// every container gets SIGTERM, then SIGKILL after <see cref="KubeletOptions.ShutdownGracePeriod"/>, and nothing
/// it started keeps running. Answers <c>kubectl exec</c> in its pods' running containers and reports their CPU and
/// memory use for <c>kubectl top</c>.
/// </summary>
public sealed class KubeletComponent : IClusterComponent, IPodExecSource, IResourceMetricsSource
{
    private readonly CpuRate _cpu = new();
    private readonly Dictionary<string, (PodWorker Worker, Task Running)> _workers = [];
    // Pods whose worker has ended: a late MODIFIED event for one must not start it again.
    private readonly HashSet<string> _ended = [];

    public string Name => "kubelet";

    /// <summary>Where the kubelet keeps container logs under a state directory (served as pods/log).</summary>
    public static string LogRoot(string stateDirectory) => Path.Combine(stateDirectory, "logs", "pods");

    /// <summary>Process groups of every container running now (for tests that check nothing is left behind).</summary>
    public IReadOnlyList<int> ProcessGroups()
    {
        lock (_workers) return _workers.Values.SelectMany(w => w.Worker.ProcessGroups).ToList();
    }

    public IPodExecution Prepare(PodExecRequest request)
    {
        PodWorker? worker;
        lock (_workers) worker = _workers.TryGetValue(request.Uid, out var found) ? found.Worker : null;
        if (worker is null) throw new PodExecException($"pod {request.Pod} does not run on any node of the dev cluster");
        var container = worker.Containers.FirstOrDefault(c => c.Spec.Name == request.Container)?.Running
            ?? throw new PodExecException($"container {request.Container} of pod {request.Pod} is not running");
        return new ContainerExecution(ExecCommand.Compose(container.Plan, request.Command, request.Stdin));
    }

    public IReadOnlyList<PodUsage> Pods()
    {
        List<PodWorker> workers;
        lock (_workers) workers = _workers.Values.Select(w => w.Worker).ToList();
        var now = DateTime.UtcNow;
        var usages = new List<PodUsage>();
        var running = new HashSet<string>();
        foreach (var worker in workers)
        {
            var pod = worker.Pod;
            var containers = new List<ContainerUsage>();
            var window = TimeSpan.Zero;
            foreach (var supervisor in worker.Containers)
            {
                if (supervisor.Running is not { } instance || ContainerUsageReader.Read(instance.Plan, instance.Pid) is not { } usage) continue;
                var key = $"{pod.Metadata.Uid}/{supervisor.Spec.Name}/{instance.StartedAt.Ticks}";
                running.Add(key);
                var (nanoCores, over) = _cpu.Sample(key, usage.CpuNanos, now, instance.StartedAt);
                window = over > window ? over : window;
                containers.Add(new ContainerUsage(supervisor.Spec.Name, nanoCores, usage.MemoryBytes));
            }
            if (containers.Count > 0)
                usages.Add(new PodUsage(pod.Metadata.NamespaceProperty ?? "default", pod.Metadata.Name, pod.Spec.NodeName ?? "", now, window, containers));
        }
        _cpu.Keep(running);
        return usages;
    }

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.Kubelet");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var services = new KubeletServices(context.Options.Kubelet, context.Options.Images, new PodLogDirectory(LogRoot(context.StateDirectory)),
            new KubeletEvents(context.Client, logger), http, logger, context.InClusterApi);
        var ips = new PodIpAllocator(context.Options.PodCidr);
        var nodes = context.Options.Nodes.Select(n => n.Name).ToHashSet();
        using var shutdown = new CancellationTokenSource();
        try
        {
            await WatchPodsAsync(context.Client, pod => OnPod(pod, nodes, context, services, ips, shutdown.Token), OnDeleted, logger, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            await shutdown.CancelAsync();
            List<Task> running;
            lock (_workers) running = _workers.Values.Select(w => w.Running).ToList();
            await Task.WhenAll(running);
            logger.LogInformation("Stopped kubelet pods={Count}", running.Count);
        }
    }

    private void OnPod(V1Pod pod, HashSet<string> nodes, ClusterContext context, KubeletServices services, PodIpAllocator ips, CancellationToken shutdown)
    {
        if (pod.Spec.NodeName is not { Length: > 0 } node || !nodes.Contains(node)) return;
        lock (_workers)
        {
            if (_workers.TryGetValue(pod.Metadata.Uid, out var existing)) { existing.Worker.Update(pod); return; }
            if (pod.Status?.Phase is "Succeeded" or "Failed" || _ended.Contains(pod.Metadata.Uid)) return;
            var uid = pod.Metadata.Uid;
            var ip = ips.Allocate(uid);
            var worker = new PodWorker(context.Client, services, pod, ip, context.StateDirectory);
            services.Logger.LogInformation("Admitted pod {Namespace}/{Pod} node={Node} ip={PodIp}", pod.Metadata.NamespaceProperty, pod.Metadata.Name, node, ip);
            var running = Task.Run(async () =>
            {
                try { await worker.RunAsync(shutdown); }
                catch (OperationCanceledException) when (shutdown.IsCancellationRequested) { }
                catch (Exception e)
                {
                    services.Logger.LogError(e, "Failed to run pod {Namespace}/{Pod}", pod.Metadata.NamespaceProperty, pod.Metadata.Name);
                }
                finally
                {
                    ips.Release(uid);
                    services.Events.Forget(uid);
                    lock (_workers)
                    {
                        _workers.Remove(uid);
                        _ended.Add(uid);
                    }
                }
            });
            _workers[uid] = (worker, running);
        }
    }

    private void OnDeleted(V1Pod pod)
    {
        lock (_workers)
            if (_workers.TryGetValue(pod.Metadata.Uid, out var existing)) existing.Worker.Gone();
    }

    private static async Task WatchPodsAsync(IKubernetes client, Action<V1Pod> onPod, Action<V1Pod> onDeleted, ILogger logger, CancellationToken ct)
    {
        var known = new HashSet<string>();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct);
                var listed = list.Items.Select(p => p.Metadata.Uid).ToHashSet();
                foreach (var missing in known.Where(uid => !listed.Contains(uid)).ToList())
                    onDeleted(new V1Pod { Metadata = new V1ObjectMeta { Uid = missing } });
                known = listed;
                foreach (var pod in list.Items) onPod(pod);
                var events = client.CoreV1.WatchListPodForAllNamespacesAsync(resourceVersion: list.Metadata.ResourceVersion,
                    allowWatchBookmarks: true, timeoutSeconds: 600, cancellationToken: ct);
                await foreach (var (type, pod) in events)
                {
                    if (type is WatchEventType.Added or WatchEventType.Modified) { known.Add(pod.Metadata.Uid); onPod(pod); }
                    else if (type == WatchEventType.Deleted) { known.Remove(pod.Metadata.Uid); onDeleted(pod); }
                    else if (type == WatchEventType.Error) break;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                logger.LogWarning(e, "Pod watch ended; relisting");
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
    }
}
