using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Prefetch;

/// <summary>
/// What the prefetch of one ModelDeployment needs written: pods to create and to delete, and <c>status.prefetch</c>
/// (null when the model does not prefetch and no prefetch pod is left).
/// </summary>
public sealed record PrefetchPlan(IReadOnlyList<V1Pod> PodsToCreate, IReadOnlyList<string> PodsToDelete, List<PrefetchNodeStatus>? Status)
{
    /// <summary>Whether the model prefetches at all (so new nodes are looked for again later).</summary>
    public bool Active { get; init; }
}
