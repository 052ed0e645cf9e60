using k8s.Models;

namespace ModelOperator.DevCluster.Controllers;

/// <summary>The ReplicaSet controller's decisions, free of I/O: how many pods to add, which to remove, the status.</summary>
public static class ReplicaSetPods
{
    /// <summary>
    /// The pods to delete when there are too many, in the ReplicaSet controller's order: unscheduled before
    /// scheduled, pending before running, not ready before ready, the newest first.
    /// </summary>
    public static IReadOnlyList<V1Pod> ToDelete(IEnumerable<V1Pod> active, int count) => active
        .OrderBy(p => string.IsNullOrEmpty(p.Spec?.NodeName) ? 0 : 1)
        .ThenBy(p => p.Status?.Phase switch { "Pending" or null => 0, "Unknown" => 1, _ => 2 })
        .ThenBy(p => PodState.IsReady(p) ? 1 : 0)
        .ThenByDescending(p => p.Metadata.CreationTimestamp)
        .ThenByDescending(p => p.Metadata.Name, StringComparer.Ordinal)
        .Take(Math.Max(0, count))
        .ToList();

    /// <summary>The status the ReplicaSet controller reports for these owned pods.</summary>
    public static V1ReplicaSetStatus Status(V1ReplicaSet rs, IReadOnlyList<V1Pod> owned, DateTime now)
    {
        var active = owned.Where(PodState.IsActive).ToList();
        return new V1ReplicaSetStatus
        {
            Replicas = active.Count,
            FullyLabeledReplicas = active.Count,
            ReadyReplicas = active.Count(PodState.IsReady),
            AvailableReplicas = active.Count(p => PodState.IsAvailable(p, rs.Spec.MinReadySeconds ?? 0, now)),
            ObservedGeneration = rs.Metadata.Generation,
        };
    }
}
