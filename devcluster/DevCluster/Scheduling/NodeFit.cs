using k8s.Models;

namespace ModelOperator.DevCluster.Scheduling;

/// <summary>
/// kube-scheduler's filter plugins, in its order (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit):
/// each returns the reasons a node does not fit a pod, worded as kube-scheduler words them; none means it fits.
/// </summary>
public static class NodeFit
{
    public static IReadOnlyList<string> Reasons(V1Pod pod, V1Node node, IEnumerable<V1Pod> podsOnNode)
    {
        // A node that is not Ready carries the not-ready taint, which the node lifecycle controller adds.
        if (node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true
            && !Tolerates(pod, new V1Taint { Key = "node.kubernetes.io/not-ready", Effect = "NoSchedule" }))
            return ["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"];
        if (node.Spec?.Unschedulable == true && !Tolerates(pod, new V1Taint { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" }))
            return ["node(s) were unschedulable"];
        if (UntoleratedTaint(pod, node) is { } taint)
            return [$"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}"];
        if (!MatchesNodeSelectorAndAffinity(pod, node))
            return ["node(s) didn't match Pod's node affinity/selector"];
        return InsufficientResources(pod, node, podsOnNode);
    }

    /// <summary>The first NoSchedule or NoExecute taint the pod does not tolerate (PreferNoSchedule never filters).</summary>
    public static V1Taint? UntoleratedTaint(V1Pod pod, V1Node node) =>
        (node.Spec?.Taints ?? []).FirstOrDefault(t => t.Effect is "NoSchedule" or "NoExecute" && !Tolerates(pod, t));

    public static bool Tolerates(V1Pod pod, V1Taint taint) => (pod.Spec?.Tolerations ?? []).Any(t => Tolerates(t, taint));

    /// <summary>A toleration matches a taint by effect (empty: all), key (empty with Exists: all) and operator.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (string.IsNullOrEmpty(toleration.Key)) return toleration.OperatorProperty == "Exists";
        if (toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    public static bool MatchesNodeSelectorAndAffinity(V1Pod pod, V1Node node)
    {
        var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        foreach (var (key, value) in pod.Spec?.NodeSelector ?? new Dictionary<string, string>())
            if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (required is null) return true;
        // Terms are ORed; the requirements inside one term are ANDed; a term with no requirements matches nothing.
        return (required.NodeSelectorTerms ?? []).Any(term =>
            ((term.MatchExpressions?.Count ?? 0) + (term.MatchFields?.Count ?? 0)) > 0
            && (term.MatchExpressions ?? []).All(r => Matches(r, labels.TryGetValue(r.Key, out var v) ? v : null))
            && (term.MatchFields ?? []).All(r => Matches(r, r.Key == "metadata.name" ? node.Metadata?.Name : null)));
    }

    public static bool Matches(V1NodeSelectorRequirement requirement, string? value) => requirement.OperatorProperty switch
    {
        "In" => value is not null && (requirement.Values ?? []).Contains(value),
        "NotIn" => value is null || !(requirement.Values ?? []).Contains(value),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => value is not null && long.TryParse(value, out var gt) && long.TryParse(requirement.Values?.FirstOrDefault(), out var gtLimit) && gt > gtLimit,
        "Lt" => value is not null && long.TryParse(value, out var lt) && long.TryParse(requirement.Values?.FirstOrDefault(), out var ltLimit) && lt < ltLimit,
        _ => false,
    };

    /// <summary>"Too many pods" and one "Insufficient R" per resource the node cannot hold after what is bound to it.</summary>
    public static IReadOnlyList<string> InsufficientResources(V1Pod pod, V1Node node, IEnumerable<V1Pod> podsOnNode)
    {
        var allocatable = node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>();
        var bound = podsOnNode.Where(PodRequests.HoldsResources).ToList();
        var reasons = new List<string>();
        if (allocatable.TryGetValue("pods", out var maxPods) && bound.Count + 1 > maxPods.ToDecimal()) reasons.Add("Too many pods");
        var used = new Dictionary<string, decimal>();
        foreach (var other in bound)
            foreach (var (name, amount) in PodRequests.Of(other)) used[name] = used.GetValueOrDefault(name) + amount;
        foreach (var (name, amount) in PodRequests.Of(pod).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (amount <= 0) continue;
            var free = (allocatable.TryGetValue(name, out var q) ? q.ToDecimal() : 0) - used.GetValueOrDefault(name);
            if (amount > free) reasons.Add($"Insufficient {name}");
        }
        return reasons;
    }
}
