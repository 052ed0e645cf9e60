using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>One runtime pod's admission: its revision and node, the decision, and the benchmark it was based on.</summary>
/// <param name="InputShapes">The shapes the benchmark used, as <c>name=[d1,…]</c>, when the pod reported them.</param>
/// <param name="ModelSource">How the pod got its model (node cache hit or miss, bytes pulled), when it said.</param>
public sealed record PodVerdict(string Pod, string Revision, string Node, AdmissionDecision Decision, IReadOnlyList<BenchmarkResult> Results, string? InputShapes = null,
    ModelSourceRecord? ModelSource = null);

/// <summary>What the operator saw beyond the Deployments: the runtime pods, their admission, and the analysis that just ran.</summary>
/// <param name="Pods">The ModelDeployment's runtime pods.</param>
/// <param name="Verdicts">Admission decisions known for those pods.</param>
/// <param name="Check">The canary analysis of the interval that just ended, when one was due and measured.</param>
/// <param name="Shadow">During a shadow phase, the stable pods' mirroring counts over that interval.</param>
public sealed record RolloutInputs(IReadOnlyList<k8s.Models.V1Pod> Pods, IReadOnlyList<PodVerdict> Verdicts, IntervalVerdict? Check,
    PodMetrics.ShadowMeasurement? Shadow = null)
{
    /// <summary>Nothing seen beyond the Deployments.</summary>
    public static RolloutInputs None { get; } = new([], [], null);

    /// <summary>The pods of <paramref name="revision"/> admission refused, by pod name, so the first is always the same one.</summary>
    public IReadOnlyList<PodVerdict> Refused(string revision) =>
        [.. Verdicts.Where(v => v.Revision == revision && v.Decision.Admitted == false).OrderBy(v => v.Pod, StringComparer.Ordinal)];
}
