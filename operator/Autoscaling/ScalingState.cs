namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// What the stabilization windows and the rate limit remember between decisions: the recent recommendations and
/// the recent upward scale events. Immutable; each decision returns the next state.
/// </summary>
public sealed record ScalingState(IReadOnlyList<TimedReplicas> Recommendations, IReadOnlyList<TimedReplicas> ScaleUps)
{
    /// <summary>Nothing remembered.</summary>
    public static ScalingState Empty { get; } = new([], []);

    /// <summary>When the signal first read idle without a request since (scale to zero counts from here); null when not idle.</summary>
    public DateTimeOffset? IdleSince { get; init; }
}

/// <summary>A replica count (a recommendation, or pods added) at a moment.</summary>
public readonly record struct TimedReplicas(DateTimeOffset At, int Replicas);
