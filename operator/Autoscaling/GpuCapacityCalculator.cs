using k8s.Models;

namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// Counts the <c>nvidia.com/gpu</c> free for a ModelDeployment's next pods: on nodes that are schedulable, match its
/// nodeSelector and whose NoSchedule/NoExecute taints it tolerates, allocatable less what bound, unfinished pods
/// request; less what its own unbound pods request, since those are waiting for the same GPUs. Affinity is not
/// evaluated (the nodeSelector and taints cover the usual GPU pool selection).
/// </summary>
public static class GpuCapacityCalculator
{
    /// <summary>The extended resource name of an NVIDIA GPU.</summary>
    public const string Gpu = "nvidia.com/gpu";

    /// <summary>The capacity for pods that request <paramref name="gpusPerPod"/> each.</summary>
    public static GpuCapacity Compute(int gpusPerPod, IDictionary<string, string>? nodeSelector, IList<V1Toleration>? tolerations,
        IEnumerable<V1Node> nodes, IReadOnlyCollection<V1Pod> pods, Func<V1Pod, bool> isOwnPod)
    {
        if (gpusPerPod <= 0) return new GpuCapacity(0, 0);
        var requestedByNode = pods.Where(p => !string.IsNullOrEmpty(p.Spec?.NodeName) && Active(p))
            .GroupBy(p => p.Spec.NodeName).ToDictionary(g => g.Key, g => g.Sum(GpuRequest));
        long free = 0;
        foreach (var node in nodes.Where(n => Fits(n, nodeSelector, tolerations)))
        {
            free += Math.Max(0, AllocatableGpus(node) - requestedByNode.GetValueOrDefault(node.Metadata.Name));
        }
        free -= pods.Where(p => string.IsNullOrEmpty(p.Spec?.NodeName) && Active(p) && isOwnPod(p)).Sum(GpuRequest);
        return new GpuCapacity(gpusPerPod, free);
    }

    /// <summary>The node's allocatable <c>nvidia.com/gpu</c>.</summary>
    public static long AllocatableGpus(V1Node node) => node.Status?.Allocatable is { } a && a.TryGetValue(Gpu, out var q) ? (long)q.ToDecimal() : 0;

    private static bool Active(V1Pod pod) => pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");

    private static long GpuRequest(V1Pod pod) => (pod.Spec?.Containers ?? []).Sum(c =>
        c.Resources?.Requests is { } r && r.TryGetValue(Gpu, out var q) ? (long)q.ToDecimal()
        : c.Resources?.Limits is { } l && l.TryGetValue(Gpu, out var lq) ? (long)lq.ToDecimal() : 0);

    /// <summary>Whether the scheduler could place a pod with this nodeSelector and these tolerations on the node (affinity aside).</summary>
    public static bool Fits(V1Node node, IDictionary<string, string>? selector, IList<V1Toleration>? tolerations)
    {
        if (node.Spec?.Unschedulable == true) return false;
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        if (selector is not null && selector.Any(s => !labels.TryGetValue(s.Key, out var v) || v != s.Value)) return false;
        return (node.Spec?.Taints ?? []).Where(t => t.Effect is "NoSchedule" or "NoExecute")
            .All(t => (tolerations ?? []).Any(tol => Tolerates(tol, t)));
    }

    private static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (string.IsNullOrEmpty(toleration.Key)) return toleration.OperatorProperty == "Exists";
        if (toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty == "Exists" || (toleration.Value ?? "") == (taint.Value ?? "");
    }
}
