using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>What the pod's own endpoints said: its benchmark (status and results) and its model signature.</summary>
/// <param name="BenchmarkStatus"><c>pending</c>, <c>running</c>, <c>completed</c>, <c>skipped</c> or <c>failed</c>, as the runtime reports it.</param>
/// <param name="ModelSource">How the pod got its model (node cache hit or miss, bytes pulled); null from a runtime that does not say.</param>
public sealed record PodReport(string Node, string BenchmarkStatus, IReadOnlyList<BenchmarkResult> Results, string? BenchmarkError, ModelSignature Signature,
    ModelSourceRecord? ModelSource = null);

/// <summary>The admission verdict for one pod; <see cref="Admitted"/> null means "not yet, look again".</summary>
/// <param name="Reason">CamelCase reason for the pod condition and the Event.</param>
public sealed record AdmissionDecision(bool? Admitted, string Reason, string Message)
{
    /// <summary>The reason of a pod that failed the benchmark gate.</summary>
    public const string GateFailed = "BenchmarkGateFailed";
    /// <summary>The reason of a pod whose signature differs from the stable revision's.</summary>
    public const string SignatureChanged = "SignatureChanged";
    /// <summary>The reason of a pod whose benchmark failed to run.</summary>
    public const string BenchmarkFailed = "BenchmarkFailed";
    /// <summary>The reason of an admitted pod.</summary>
    public const string Passed = "ChecksPassed";
}

/// <summary>
/// Decides whether one runtime pod may take traffic: the signature guard (against the stable revision, unless the pod
/// is of the stable revision or <c>allowSignatureChange</c> is set), then the benchmark gate on the pod's node.
/// </summary>
public static class AdmissionDecider
{
    /// <summary>
    /// <paramref name="stableSignature"/> is null when there is no other stable revision to compare with (the first
    /// revision, or a pod of the stable revision itself).
    /// </summary>
    public static AdmissionDecision Decide(ModelDeploymentSpec spec, ModelSignature? stableSignature, PodReport pod)
    {
        if (stableSignature is not null && spec.Rollout?.AllowSignatureChange != true)
        {
            var differences = SignatureGuard.Differences(stableSignature, pod.Signature);
            if (differences.Count > 0)
                return new AdmissionDecision(false, AdmissionDecision.SignatureChanged,
                    $"The signature differs from the stable revision's: {string.Join("; ", differences)} (set spec.rollout.allowSignatureChange to admit it)");
        }
        switch (pod.BenchmarkStatus)
        {
            case "pending" or "running":
                return new AdmissionDecision(null, "BenchmarkRunning", $"The benchmark on node {pod.Node} is {pod.BenchmarkStatus}");
            case "failed":
                return new AdmissionDecision(false, AdmissionDecision.BenchmarkFailed, $"The benchmark on node {pod.Node} failed: {pod.BenchmarkError ?? "no reason given"}");
            case "skipped" when spec.Benchmark?.Gate is { MaxP95Ms: not null } or { MinThroughput: not null }:
                return new AdmissionDecision(false, AdmissionDecision.GateFailed, $"The benchmark on node {pod.Node} was skipped (iterations 0), so the gate cannot pass");
            case "completed" or "skipped":
                var verdict = BenchmarkGateCheck.Evaluate(spec.Benchmark?.Gate, pod.Results, pod.Node);
                return new AdmissionDecision(verdict.Passed, verdict.Passed ? AdmissionDecision.Passed : AdmissionDecision.GateFailed, verdict.Message);
            default:
                return new AdmissionDecision(false, AdmissionDecision.BenchmarkFailed, $"The pod on node {pod.Node} reported an unknown benchmark status '{pod.BenchmarkStatus}'");
        }
    }
}
