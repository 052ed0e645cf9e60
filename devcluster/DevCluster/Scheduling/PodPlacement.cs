using k8s.Models;

namespace ModelOperator.DevCluster.Scheduling;

/// <summary>Where a pod goes: a node, or kube-scheduler's FitError message when no node fits.</summary>
/// <param name="Node">The chosen node's name; null when the pod is unschedulable.</param>
/// <param name="Message">Why no node fits, e.g. <c>0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {…}.</c></param>
public sealed record PodPlacement(string? Node, string? Message)
{
    /// <summary>
    /// Filters the nodes as kube-scheduler does, then scores the feasible ones: fewest pods of the same owner first
    /// (spreading a ReplicaSet's replicas across nodes), then the least requested cpu and memory, then the name.
    /// </summary>
    public static PodPlacement Choose(V1Pod pod, IReadOnlyList<V1Node> nodes, IReadOnlyList<V1Pod> boundPods)
    {
        var byNode = boundPods.Where(p => !string.IsNullOrEmpty(p.Spec?.NodeName)).ToLookup(p => p.Spec.NodeName);
        var reasons = new Dictionary<string, int>();
        var feasible = new List<V1Node>();
        foreach (var node in nodes)
        {
            var why = NodeFit.Reasons(pod, node, byNode[node.Metadata.Name]);
            if (why.Count == 0) feasible.Add(node);
            foreach (var reason in why) reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
        }
        if (feasible.Count == 0) return new PodPlacement(null, FitError(nodes.Count, reasons));
        var owner = ControllerUid(pod);
        var best = feasible
            .OrderBy(n => owner is null ? 0 : byNode[n.Metadata.Name].Count(p => ControllerUid(p) == owner && p.Metadata.DeletionTimestamp is null))
            .ThenBy(n => RequestedShare(n, byNode[n.Metadata.Name]))
            .ThenBy(n => n.Metadata.Name, StringComparer.Ordinal)
            .First();
        return new PodPlacement(best.Metadata.Name, null);
    }

    /// <summary>kube-scheduler's FitError wording: counts per reason, sorted as strings, joined by commas.</summary>
    public static string FitError(int nodeCount, IReadOnlyDictionary<string, int> reasons)
    {
        if (nodeCount == 0) return "no nodes available to schedule pods";
        var parts = reasons.Select(kv => $"{kv.Value} {kv.Key}").Order(StringComparer.Ordinal);
        return $"0/{nodeCount} nodes are available: {string.Join(", ", parts)}.";
    }

    private static string? ControllerUid(V1Pod pod) => pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Uid;

    private static decimal RequestedShare(V1Node node, IEnumerable<V1Pod> pods)
    {
        var allocatable = node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>();
        decimal share = 0;
        foreach (var resource in new[] { "cpu", "memory" })
        {
            if (!allocatable.TryGetValue(resource, out var q) || q.ToDecimal() <= 0) continue;
            share += pods.Where(PodRequests.HoldsResources).Sum(p => PodRequests.Of(p).GetValueOrDefault(resource)) / q.ToDecimal();
        }
        return share;
    }
}
