using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Nodes;

/// <summary>
/// Registers the configured nodes and keeps them Ready, as each node's kubelet does: a Lease in kube-node-lease
/// renewed every heartbeat and the Ready condition's heartbeat time in the node's status.
/// </summary>
internal sealed class NodeHeartbeats : IClusterComponent
{
    public string Name => "nodes";

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.Nodes");
        var since = context.Time.GetUtcNow().UtcDateTime;
        // What `kubectl get nodes -o wide` shows as CONTAINER-RUNTIME: podman's version when the kubelet runs containers.
        var runtime = context.Options.Kubelet.Containers is { } containers
            ? Kubelet.PodmanRuntime.Version(containers) ?? "podman://unavailable"
            : NodeObjects.ProcessRuntime;
        foreach (var (config, i) in context.Options.Nodes.Select((n, i) => (n, i)))
        {
            await RegisterAsync(context.Client, config, ct);
            logger.LogInformation("Registered node {Node}", config.Name);
        }
        while (!ct.IsCancellationRequested)
        {
            var now = context.Time.GetUtcNow().UtcDateTime;
            foreach (var (config, i) in context.Options.Nodes.Select((n, i) => (n, i)))
            {
                try
                {
                    await PostStatusAsync(context.Client, config, now, since, $"127.0.0.{i + 2}", runtime, ct);
                    await RenewLeaseAsync(context.Client, config.Name, now, context.Options.NodeHeartbeat, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Failed to post heartbeat for node {Node}", config.Name);
                }
            }
            await Task.Delay(context.Options.NodeHeartbeat, context.Time, ct);
        }
    }

    private static async Task RegisterAsync(IKubernetes client, NodeConfig config, CancellationToken ct)
    {
        var node = NodeObjects.From(config);
        try { await client.CoreV1.CreateNodeAsync(node, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var live = await client.CoreV1.ReadNodeAsync(config.Name, cancellationToken: ct);
            live.Metadata.Labels = node.Metadata.Labels;
            live.Spec.Taints = node.Spec.Taints;
            await client.CoreV1.ReplaceNodeAsync(live, config.Name, cancellationToken: ct);
        }
    }

    private static async Task PostStatusAsync(IKubernetes client, NodeConfig config, DateTime now, DateTime since, string address, string runtime, CancellationToken ct)
    {
        var patch = new V1Node { Status = NodeObjects.Status(config, now, since, address, runtime) };
        await client.CoreV1.PatchNodeStatusAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), config.Name, cancellationToken: ct);
    }

    private static async Task RenewLeaseAsync(IKubernetes client, string node, DateTime now, TimeSpan period, CancellationToken ct)
    {
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease", cancellationToken: ct);
            lease.Spec.RenewTime = now;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, node, "kube-node-lease", cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = node, NamespaceProperty = "kube-node-lease" },
                Spec = new V1LeaseSpec { HolderIdentity = node, LeaseDurationSeconds = (int)Math.Max(1, period.TotalSeconds * 4), RenewTime = now },
            }, "kube-node-lease", cancellationToken: ct);
        }
    }
}
