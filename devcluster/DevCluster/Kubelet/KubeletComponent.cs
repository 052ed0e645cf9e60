using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The kubelet of every simulated node: watches pods bound to one of the cluster's nodes (spec.nodeName) through the
/// API and runs each in a <see cref="PodWorker"/> with its own loopback IP from the pod CIDR. When the cluster stops,
/// every container gets SIGTERM, then SIGKILL after <see cref="KubeletOptions.ShutdownGracePeriod"/>, and nothing
/// it started keeps running.
/// </summary>
public sealed class KubeletComponent : IClusterComponent
{
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
