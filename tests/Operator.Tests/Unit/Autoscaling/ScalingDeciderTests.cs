using ModelOperator.Operator.Autoscaling;

namespace ModelOperator.Operator.Tests.Unit.Autoscaling;

public sealed class ScalingDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly GpuCapacity NoGpu = new(0, 0);

    private static ScalingPolicy Policy(int min = 1, int max = 10, int upSeconds = 0, int downSeconds = 60) =>
        new(100, min, max, TimeSpan.FromSeconds(upSeconds), TimeSpan.FromSeconds(downSeconds));

    [Theory]
    [InlineData(100, 4, 4)]     // on target
    [InlineData(110, 4, 4)]     // exactly at +10 %: no change
    [InlineData(90, 4, 4)]      // exactly at -10 %: no change
    [InlineData(111, 4, 5)]     // one over the tolerance: ceil(4.44)
    [InlineData(89, 4, 4)]      // one under: ceil(3.56)
    [InlineData(70, 4, 3)]
    [InlineData(200, 4, 8)]
    [InlineData(50, 4, 2)]
    [InlineData(200, 0, 2)]     // no pods yet: proportional from one
    public void Recommend_IsProportionalOutsideTheTolerance(double observedMs, int current, int expected)
    {
        Assert.Equal(expected, ScalingDecider.Recommend(Policy(), observedMs, current));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ALatencyThatIsNotANumber_IsNoData(double ms)
    {
        var signal = ScalingSignal.FromLatency(ms, "Prometheus");
        Assert.Equal("InvalidMetric", Assert.IsType<ScalingSignal.NoData>(signal).Reason);
    }

    [Fact]
    public void NoData_HoldsTheCurrentReplicas_AndSaysWhy()
    {
        var decision = ScalingDecider.Decide(Policy(), new ScalingSignal.NoData("FailedGetPodsMetric", "2 of 3 pods did not answer"), 3, NoGpu, ScalingState.Empty, T0);

        Assert.Equal(3, decision.Desired);
        Assert.False(decision.Active);
        Assert.Equal("FailedGetPodsMetric", decision.ActiveReason);
        Assert.Contains("2 of 3 pods did not answer", decision.ActiveMessage);
        Assert.Empty(decision.State.Recommendations);
    }

    [Fact]
    public void Idle_GoesToMin_OnlyAfterTheScaleDownStabilization()
    {
        var policy = Policy(min: 1, downSeconds: 60);
        var first = ScalingDecider.Decide(policy, new ScalingSignal.Latency(100), 4, NoGpu, ScalingState.Empty, T0);
        var idle = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 4, NoGpu, first.State, T0.AddSeconds(30));
        var stillWithin = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 4, NoGpu, idle.State, T0.AddSeconds(59));
        // A recommendation exactly one window old has left the window (the HPA's cutoff is exclusive).
        var after = ScalingDecider.Decide(policy, new ScalingSignal.Idle(), 4, NoGpu, stillWithin.State, T0.AddSeconds(60));

        Assert.Equal([4, 4, 4, 1], new[] { first, idle, stillWithin, after }.Select(d => d.Desired));
        Assert.Equal("NoRequests", after.ActiveReason);
        Assert.True(after.Active);
    }

    [Fact]
    public void ScaleUp_WithoutStabilization_IsImmediateAndProportional()
    {
        var decision = ScalingDecider.Decide(Policy(), new ScalingSignal.Latency(300), 2, NoGpu, ScalingState.Empty, T0);
        Assert.Equal(6, decision.Desired);
        Assert.False(decision.Limited);
        Assert.True(decision.Changes);
    }

    [Fact]
    public void ScaleUp_IsRateLimitedToDoubleOrPlusFourPer15Seconds()
    {
        var policy = Policy(max: 100);
        var first = ScalingDecider.Decide(policy, new ScalingSignal.Latency(1000), 2, NoGpu, ScalingState.Empty, T0);
        var within = ScalingDecider.Decide(policy, new ScalingSignal.Latency(1000), 6, NoGpu, first.State, T0.AddSeconds(5));
        var next = ScalingDecider.Decide(policy, new ScalingSignal.Latency(1000), 6, NoGpu, within.State, T0.AddSeconds(16));

        Assert.Equal(6, first.Desired);          // +4 beats double from 2
        Assert.Equal("ScaleUpLimit", first.LimitedReason);
        Assert.Equal(6, within.Desired);         // the period that began at 2 has used its allowance
        Assert.Equal(12, next.Desired);          // a new period from 6: double beats +4
        Assert.True(next.Limited);
    }

    [Fact]
    public void ScaleUp_NeverPassesMax()
    {
        var decision = ScalingDecider.Decide(Policy(max: 5), new ScalingSignal.Latency(1000), 4, NoGpu, ScalingState.Empty, T0);
        Assert.Equal(5, decision.Desired);
        Assert.Equal("TooManyReplicas", decision.LimitedReason);
    }

    [Fact]
    public void ScaleUpStabilization_TakesTheLowestRecommendationOverItsWindow()
    {
        var policy = Policy(upSeconds: 30);
        var calm = ScalingDecider.Decide(policy, new ScalingSignal.Latency(100), 4, NoGpu, ScalingState.Empty, T0);
        var breach = ScalingDecider.Decide(policy, new ScalingSignal.Latency(200), 4, NoGpu, calm.State, T0.AddSeconds(10));
        var held = ScalingDecider.Decide(policy, new ScalingSignal.Latency(200), 4, NoGpu, breach.State, T0.AddSeconds(29));
        var after = ScalingDecider.Decide(policy, new ScalingSignal.Latency(200), 4, NoGpu, held.State, T0.AddSeconds(30));

        Assert.Equal([4, 4, 4, 8], new[] { calm, breach, held, after }.Select(d => d.Desired));
    }

    [Fact]
    public void ScaleDownStabilization_TakesTheHighestRecommendationOverItsWindow()
    {
        var policy = Policy(downSeconds: 60);
        var busy = ScalingDecider.Decide(policy, new ScalingSignal.Latency(100), 8, NoGpu, ScalingState.Empty, T0);
        var quiet = ScalingDecider.Decide(policy, new ScalingSignal.Latency(50), 8, NoGpu, busy.State, T0.AddSeconds(10));
        var after = ScalingDecider.Decide(policy, new ScalingSignal.Latency(50), 8, NoGpu, quiet.State, T0.AddSeconds(61));

        Assert.Equal([8, 8, 4], new[] { busy, quiet, after }.Select(d => d.Desired));
    }

    [Fact]
    public void Idle_NeverGoesBelowMin()
    {
        var decision = ScalingDecider.Decide(Policy(min: 2, downSeconds: 0), new ScalingSignal.Idle(), 5, NoGpu, ScalingState.Empty, T0);
        Assert.Equal(2, decision.Desired);
    }

    [Fact]
    public void ScaleUp_StopsAtTheGpusThatAreFree()
    {
        var decision = ScalingDecider.Decide(Policy(), new ScalingSignal.Latency(300), 2, new GpuCapacity(1, 1), ScalingState.Empty, T0);

        Assert.Equal(3, decision.Desired);
        Assert.True(decision.Limited);
        Assert.Equal("InsufficientGPU", decision.LimitedReason);
        Assert.Contains("Wanted 6 replicas of 1 nvidia.com/gpu each", decision.LimitedMessage);
        Assert.Contains("1 free", decision.LimitedMessage);
    }

    [Fact]
    public void PodsThatCannotGetAGpu_AreScaledAway_NotLeftPending()
    {
        // 3 pods, one of them Pending because its GPU is not there: free counts it as -1.
        var decision = ScalingDecider.Decide(Policy(), new ScalingSignal.Latency(100), 3, new GpuCapacity(1, -1), ScalingState.Empty, T0);
        Assert.Equal(2, decision.Desired);
        Assert.Equal("InsufficientGPU", decision.LimitedReason);
    }

    [Fact]
    public void GpuLimit_NeverGoesBelowMin()
    {
        var decision = ScalingDecider.Decide(Policy(min: 2), new ScalingSignal.Latency(100), 2, new GpuCapacity(2, -4), ScalingState.Empty, T0);
        Assert.Equal(2, decision.Desired);
    }

    [Fact]
    public void CpuPods_HaveNoGpuLimit()
    {
        Assert.Equal(int.MaxValue, new GpuCapacity(0, 0).MaxPods(3));
        Assert.Equal(5, new GpuCapacity(2, 5).MaxPods(3));
    }

    [Fact]
    public void DuringACanaryStep_TheScaleUpLeavesGpusForTheCanaryItBrings()
    {
        // Weight 50: the canary matches stable. 2 stable + 2 canary run and 2 GPUs are free: stable 3 brings canary 3,
        // which takes both; stable 4 would need 4 more.
        var gpu = new GpuCapacity(1, 2) { SurgeFor = stable => ModelOperator.Operator.Rollout.CanarySizing.Replicas(50, stable, 10) };

        var decision = ScalingDecider.Decide(Policy(), new ScalingSignal.Latency(200), 2, gpu, ScalingState.Empty, T0);

        Assert.Equal(3, decision.Desired);
        Assert.Equal("InsufficientGPU", decision.LimitedReason);
        Assert.Contains("so 3 fit beside the canary's 3", decision.LimitedMessage);
    }

    [Theory]
    [InlineData(0, 2, 4)]    // no surge: the current count plus what is free
    [InlineData(1, 2, 4)]    // one canary pod whatever the count: it is already running and costs nothing more
    [InlineData(100, 2, 3)]  // promoting: the canary grows with stable, so each stable pod more costs two GPUs
    public void MaxPods_CountsTheSurgeEachCountBrings(int surge, long free, int expected)
    {
        Func<int, int> surgeFor = surge switch { 0 => _ => 0, 1 => _ => 1, _ => n => n };
        Assert.Equal(expected, new GpuCapacity(1, free) { SurgeFor = surgeFor }.MaxPods(2));
    }
}
