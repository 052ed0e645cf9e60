namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// The Event a change of the ScalingActive condition's reason deserves, free of I/O: none for the routine reasons, a
/// Normal <c>Idle</c> when the model goes quiet, a Warning <c>ScalingInactive</c> when the autoscaler cannot read its
/// signal. A model waking from zero has no admitted pod, then no metric window, until its first pod has served a
/// while: that is the cold start working, so it gets no Warning (the planner's <c>ColdStarted</c> Event says when it ends).
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
        if (waking && decision.ActiveReason is "NoReadyPods" or "AwaitingMetricWindow") return null;
        return ("Warning", "ScalingInactive");
    }
}
