using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Runtime;

namespace ModelOperator.Operator.Prefetch;

/// <summary>
/// Thin API code around <see cref="PrefetchPlanner"/>: reads the nodes (only for a model that prefetches or still has
/// prefetch pods), creates and deletes the pods the plan names and writes <c>status.prefetch</c> when it changed.
/// </summary>
internal sealed class PrefetchSync(Kubernetes client, ModelDeploymentApi api, StatusWriter statusWriter, ObjectCache<V1Pod> prefetchPods,
    OperatorSettings settings, EventRecorder events, ILogger logger)
{
    /// <summary>How often a prefetching model looks for new nodes without an event telling it.</summary>
    public static readonly TimeSpan NodeRecheck = TimeSpan.FromSeconds(30);

    /// <summary>Returns the ModelDeployment as stored after a status write (or <paramref name="md"/>), and whether it prefetches.</summary>
    public async Task<(ModelDeployment Md, bool Active)> SyncAsync(string key, ModelDeployment md, CancellationToken ct)
    {
        var existing = prefetchPods.OwnedBy(key);
        if (md.Spec.Model?.Cache?.Prefetch != true && existing.Count == 0 && md.Status?.Prefetch is null) return (md, false);
        IReadOnlyList<V1Node> nodes = md.Spec.Model?.Cache?.Prefetch == true
            ? (await client.CoreV1.ListNodeAsync(cancellationToken: ct).ConfigureAwait(false)).Items.ToList() : [];
        var plan = PrefetchPlanner.Plan(md, settings, nodes, existing);
        foreach (var pod in plan.PodsToCreate)
        {
            await api.CreatePodAsync(pod, ct).ConfigureAwait(false);
            logger.LogInformation("Prefetching {Model} into the node cache of {Node}: pod {Pod}", DesiredDeployment.ModelArgument(md.Spec.Model!), pod.Spec.NodeName, pod.Metadata.Name);
        }
        foreach (var name in plan.PodsToDelete)
        {
            await api.DeletePodAsync(md.Metadata.NamespaceProperty, name, ct).ConfigureAwait(false);
            logger.LogInformation("Deleted prefetch pod {Namespace}/{Pod}: failed, out of date or no longer wanted", md.Metadata.NamespaceProperty, name);
        }
        if (Same(md.Status?.Prefetch, plan.Status)) return (md, plan.Active);
        foreach (var failed in plan.Status?.Where(s => s.State == PrefetchPlanner.Failed && !WasFailed(md, s.Node)) ?? [])
            await events.RecordAsync(md, "Warning", "PrefetchFailed", $"Prefetch onto node {failed.Node} failed: {failed.Message}", ct).ConfigureAwait(false);
        var copy = KubernetesJson.Deserialize<ModelDeployment>(KubernetesJson.Serialize(md));
        var status = copy.Status ?? new ModelDeploymentStatus();
        status.Prefetch = plan.Status;
        var stored = await statusWriter.WriteAsync(copy, status, fresh =>
        {
            var s = fresh.Status ?? new ModelDeploymentStatus();
            s.Prefetch = plan.Status;
            return s;
        }, ct).ConfigureAwait(false);
        return (stored ?? md, plan.Active);
    }

    /// <summary>Deletes every prefetch pod of the ModelDeployment (it is being deleted).</summary>
    public async Task DeleteAllAsync(string key, CancellationToken ct)
    {
        foreach (var pod in prefetchPods.OwnedBy(key).Where(p => p.Metadata.DeletionTimestamp is null))
            await api.DeletePodAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, ct).ConfigureAwait(false);
    }

    private static bool WasFailed(ModelDeployment md, string? node) =>
        md.Status?.Prefetch?.Any(p => p.Node == node && p.State == PrefetchPlanner.Failed) == true;

    private static bool Same(List<PrefetchNodeStatus>? a, List<PrefetchNodeStatus>? b) =>
        JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);
}
