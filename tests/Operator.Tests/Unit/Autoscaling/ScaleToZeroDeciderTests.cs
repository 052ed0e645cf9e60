using ModelOperator.Operator.Autoscaling;

namespace ModelOperator.Operator.Tests.Unit.Autoscaling;

/// <summary>The decider with scaleToZero.idleAfter: idle that long goes to zero at once; at zero only demand wakes.</summary>
public sealed class ScaleToZeroDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly GpuCapacity NoGpu = new(0, 0);

    private static ScalingPolicy Policy(int idleSeconds = 300, int downSeconds = 60) =>
        new(100, 0, 4, TimeSpan.Zero, TimeSpan.FromSeconds(downSeconds)) { IdleAfter = TimeSpan.FromSeconds(idleSeconds) };

    [Theory]
    [InlineData(0, 1)]     // the first idle reading starts the clock
    [InlineData(299, 1)]   // one second short of idleAfter
    [InlineData(300, 0)]   // exactly idleAfter: zero
    [InlineData(900, 0)]
    public void IdleForIdleAfter_GoesToZero_WithoutWaitingForTheScaleDownWindow(int idleSeconds, int expected)
    {
        var first = ScalingDecider.Decide(Policy(downSeconds: 3600), new ScalingSignal.Idle(), 1, NoGpu, ScalingState.Empty, T0);
        var later = ScalingDecider.Decide(Policy(downSeconds: 3600), new ScalingSignal.Idle(), 1, NoGpu, first.State, T0.AddSeconds(idleSeconds));

        Assert.Equal(expected, later.Desired);
        if (expected == 0)
        {
            Assert.Equal("IdleToZero", later.ActiveReason);
            Assert.Contains("scaleToZero.idleAfter 5m", later.ActiveMessage);
        }
    }

    [Fact]
    public void IdleNeverGoesBelowOne_OnTheLatencyPath_EvenWithMinZero()
    {
        var policy = Policy(idleSeconds: 3600, downSeconds: 60);
        var busy = ScalingDecider.Decide(policy, new ScalingSignal.Latency(100), 3, NoGpu, ScalingState.Empty, T0);
        var idle = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 3, NoGpu, busy.State, T0.AddSeconds(120));

        Assert.Equal(1, idle.Desired);
        Assert.Equal(T0.AddSeconds(120), idle.State.IdleSince);
    }

    [Fact]
    public void ARequestInBetween_RestartsTheIdleClock()
    {
        var policy = Policy(idleSeconds: 300);
        var idle = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, ScalingState.Empty, T0);
        var busy = ScalingDecider.Decide(policy, new ScalingSignal.Latency(100), 1, NoGpu, idle.State, T0.AddSeconds(200));
        var idleAgain = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, busy.State, T0.AddSeconds(250));
        var notYet = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, idleAgain.State, T0.AddSeconds(400));
        var now = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, notYet.State, T0.AddSeconds(550));

        Assert.Null(busy.State.IdleSince);
        Assert.Equal([1, 1, 0], new[] { idleAgain, notYet, now }.Select(d => d.Desired));
    }

    [Fact]
    public void NoData_IsNeverIdle_SoAFailingScrapeCannotScaleToZero()
    {
        var policy = Policy(idleSeconds: 60);
        var idle = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, ScalingState.Empty, T0);
        var failing = ScalingDecider.Decide(policy, new ScalingSignal.NoData("FailedGetPodsMetric", "1 of 1 pods did not answer"), 1, NoGpu, idle.State, T0.AddSeconds(30));
        var idleAfterFailure = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, failing.State, T0.AddSeconds(61));

        Assert.Equal([1, 1], new[] { failing, idleAfterFailure }.Select(d => d.Desired));
    }

    [Fact]
    public void DemandWithinIdleAfter_KeepsThePodsUp()
    {
        var policy = Policy(idleSeconds: 300);
        var idle = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, ScalingState.Empty, T0);

        var recentDemand = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, idle.State, T0.AddSeconds(300), lastDemand: T0.AddSeconds(100));
        var oldDemand = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 1, NoGpu, idle.State, T0.AddSeconds(300), lastDemand: T0.AddSeconds(-1));

        Assert.Equal(1, recentDemand.Desired);
        Assert.Equal(0, oldDemand.Desired);
    }

    [Fact]
    public void AtZero_HoldsZero_WhateverTheSignal_AndSaysRequestsWakeIt()
    {
        var decision = ScalingDecider.Decide(Policy(), new ScalingSignal.NoData("NoReadyPods", "No admitted pod serves yet"), 0, NoGpu, ScalingState.Empty, T0);

        Assert.Equal(0, decision.Desired);
        Assert.False(decision.Changes);
        Assert.Equal(("ScaledToZero", false), (decision.ActiveReason, decision.Active));
        Assert.Contains("next request", decision.ActiveMessage);
    }

    [Fact]
    public void Latency_ScalesAsWithoutScaleToZero()
    {
        var decision = ScalingDecider.Decide(Policy(), new ScalingSignal.Latency(300), 1, NoGpu, ScalingState.Empty, T0);

        Assert.Equal(3, decision.Desired);
        Assert.Null(decision.State.IdleSince);
    }
}
