namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// The Event a change of the ScalingActive condition's reason deserves, free of I/O: none for the routine reasons, a
/// Normal <c>Idle</c> when the model goes quiet, a Warning <c>ScalingInactive</c> when the autoscaler cannot read its
/// signal. A model just created or waking from zero has no admitted pod, then no metric window, until its first pod has
/// been scraped twice: that is its pods starting, so it gets no Warning (the pod's <c>PodAdmitted</c> and the planner's
/// <c>ColdStarted</c> Events say when they are in).
/// </summary>
public static class ScalingActiveEvent
{
    /// <summary>The (type, reason) of the Event to record, or null for none.</summary>
    /// <param name="previousReason">ScalingActive's reason before this step.</param>
    /// <param name="decision">This step's decision.</param>
    /// <param name="waking">The model scales to zero and a request woke it since its last scale (<see cref="ScaleToZero.Demand.SinceLastScale"/>).</param>
    public static (string Type, string Reason)? For(string? previousReason, ScalingDecision decision, bool waking)
    {
        if (previousReason == decision.ActiveReason || decision.ActiveReason is "ValidMetricFound" or "IdleToZero" or "ScaledToZero") return null;
        if (decision.Active) return ("Normal", "Idle");
        // Routine while pods start: a new model (no condition yet) or one woken from zero has no admitted pod, and a
        // pod just admitted has no metric window yet.
        if (decision.ActiveReason == "NoReadyPods" && (waking || previousReason is null)) return null;
        if (decision.ActiveReason == "AwaitingMetricWindow" && (waking || previousReason is null or "NoReadyPods")) return null;
        return ("Warning", "ScalingInactive");
    }
}
