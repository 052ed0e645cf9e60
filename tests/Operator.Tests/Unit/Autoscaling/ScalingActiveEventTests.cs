using ModelOperator.Operator.Autoscaling;

namespace ModelOperator.Operator.Tests.Unit.Autoscaling;

/// <summary>Which ScalingActive changes become Events: pods starting (a new model, a cold start from zero) are expected, never a Warning.</summary>
public sealed class ScalingActiveEventTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // A step of a model at one replica, woken from zero, whose only pod is not admitted yet.
    private static ScalingDecision WakingStep(ScalingSignal signal) =>
        ScalingDecider.Decide(new ScalingPolicy(100, 0, 4, TimeSpan.Zero, TimeSpan.FromMinutes(1)) { IdleAfter = TimeSpan.FromMinutes(5) },
            signal, 1, new GpuCapacity(0, 0), ScalingState.Empty, T0, T0);

    // Guards the Warning ScalingInactive ("No admitted pod serves yet") that every cold start recorded.
    [Theory]
    [InlineData("NoReadyPods", "ScaledToZero", true, null)]
    [InlineData("AwaitingMetricWindow", "NoReadyPods", true, null)]
    [InlineData("NoReadyPods", null, false, null)]                                      // a new model's first pod starting
    [InlineData("AwaitingMetricWindow", "NoReadyPods", false, null)]                    // its pod just admitted
    [InlineData("NoReadyPods", "ValidMetricFound", false, "Warning/ScalingInactive")]   // serving pods gone: something is wrong
    [InlineData("AwaitingMetricWindow", "ValidMetricFound", false, "Warning/ScalingInactive")]
    [InlineData("FailedGetPodsMetric", "NoReadyPods", true, "Warning/ScalingInactive")] // pods that do not answer are a fault, woken or not
    [InlineData("NoReadyPods", "NoReadyPods", false, null)]                             // unchanged: no Event
    public void ANoDataStep_IsAWarning_UnlessTheModelsPodsAreStarting(string reason, string? previous, bool waking, string? expected)
    {
        var decision = WakingStep(new ScalingSignal.NoData(reason, "no data"));

        var recorded = ScalingActiveEvent.For(previous, decision, waking);

        Assert.Equal(expected, recorded is { } e ? $"{e.Type}/{e.Reason}" : null);
    }

    [Fact]
    public void AMetricFoundOrAnIdleModel_IsNoWarning()
    {
        Assert.Null(ScalingActiveEvent.For("NoReadyPods", WakingStep(new ScalingSignal.Latency(50)), waking: true));
        Assert.Equal(("Normal", "Idle"), ScalingActiveEvent.For("ValidMetricFound", WakingStep(new ScalingSignal.Idle()), waking: false));
    }
}
