using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>
/// The canary pods a rollout runs beside a given stable count, so the autoscaler sizes both together: scaling stable to
/// <c>n</c> also resizes the canary to keep the step's weight (or, while promoting, to <c>n</c>), and those pods need
/// GPUs too. Pure.
/// </summary>
public static class CanarySurge
{
    /// <summary>Canary replicas as a function of stable replicas for the rollout in <paramref name="md"/>'s status; none without a canary.</summary>
    public static Func<int, int> For(ModelDeployment md)
    {
        var status = md.Status;
        var steps = md.Spec.Rollout?.Steps ?? [];
        if (status is not { CanaryRevision: not null, CanaryReplicas: > 0 } || status.FailedRevision == status.CanaryRevision) return _ => 0;
        var step = status.CurrentStep ?? 0;
        if (step >= steps.Count) return stable => Math.Max(1, stable);
        var max = Math.Max(md.Spec.Replicas?.Max ?? 1, md.Spec.Replicas?.Min ?? 1);
        var weight = steps[step].Weight;
        return stable => CanarySizing.Replicas(weight, stable, max);
    }
}
