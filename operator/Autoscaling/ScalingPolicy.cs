namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// The bounds and timing of one ModelDeployment's autoscaling. The tolerance and upward rate limit are the
/// HorizontalPodAutoscaler's defaults: no change within 10 %, and per 15 s at most double or +4 pods, whichever is more.
/// </summary>
public sealed record ScalingPolicy(
    double TargetMs,
    int Min,
    int Max,
    TimeSpan ScaleUpStabilization,
    TimeSpan ScaleDownStabilization)
{
    /// <summary>No change while observed/target is within this of 1.</summary>
    public double Tolerance { get; init; } = 0.1;

    /// <summary>The period the upward rate limit applies to.</summary>
    public TimeSpan ScaleUpPeriod { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Pods the upward rate limit always allows per period.</summary>
    public int ScaleUpPods { get; init; } = 4;

    /// <summary>Factor the upward rate limit allows per period (2 = at most double).</summary>
    public double ScaleUpFactor { get; init; } = 2;

    /// <summary>
    /// spec.autoscaling.scaleToZero.idleAfter: idle this long, the model goes to zero pods (<see cref="Min"/> then
    /// bounds only the latency-driven path); null when the model never scales to zero.
    /// </summary>
    public TimeSpan? IdleAfter { get; init; }
}
