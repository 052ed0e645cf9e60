using k8s;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>The stepper running a shadow phase (issue 23) before the canary steps or instead of them.</summary>
public sealed class ShadowRolloutStepperTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private const string Shadow = "bbbbbbbbbb";
    private static readonly IntervalVerdict Pass = new(CheckResult.Passed, "Check passed: answers: 'probabilities' agreement 1; shadow latency: ok", new RevisionWindow(50, 0, 5), new RevisionWindow(400, 0, 5));
    private static readonly IntervalVerdict Wrong = new(CheckResult.Failed,
        "Check failed: answers: agreement 0 on 'probabilities' is below minAgreement 0.9; e.g. req-7: 'probabilities': row 0: stable top-1 3, shadow top-1 4; shadow latency: ok", null, null);

    private static ModelDeploymentSpec Spec(bool steps = false, bool? autoRollback = null) => new()
    {
        Model = new ModelSource { Uri = "oci://r/m:2" },
        Replicas = new ReplicasSpec { Min = 1, Max = 10 },
        Rollout = new RolloutSpec
        {
            Steps = steps ? [new RolloutStep { Weight = 20 }] : null,
            Shadow = new ShadowSpec { Fraction = 0.5, Duration = "10s", MinRequests = 20 },
            Analysis = new AnalysisSpec { Interval = "5s", FailureLimit = 2, ProgressDeadline = "1m", MinAgreement = 0.9 },
            AutoRollback = autoRollback,
        },
    };

    private static ShadowMeasurement Mirrored(double compared, double agreeing) =>
        new([new OutputMeasurement("probabilities", compared, agreeing, [new HistogramBucket(0, agreeing), new HistogramBucket(double.PositiveInfinity, compared)])],
            compared, 0, 0, 4);

    private static RolloutObservation Seen(int readyShadow = 1, IntervalVerdict? check = null, ShadowMeasurement? shadow = null) =>
        new(StableReplicas: 4, ReadyStable: 4, ReadyCanary: readyShadow, null, check, Shadow: shadow);

    private static RolloutDecision Step(ModelDeploymentSpec spec, ModelDeploymentStatus status, RolloutObservation seen, DateTime now) =>
        RolloutStepper.Step(spec, 1, Shadow, KubernetesJson.Deserialize<ModelDeploymentStatus>(KubernetesJson.Serialize(status)), seen, now);

    private static ModelDeploymentStatus StableOnly() => new() { StableRevision = "aaaaaaaaaa", Phase = Phases.Serving, Conditions = [] };

    [Fact]
    public void NewRevision_StartsAsShadow_WithNoUserTraffic_SizedForItsFraction()
    {
        var d = Step(Spec(), StableOnly(), Seen(readyShadow: 0), T0);

        Assert.Equal(RolloutAction.Wait, d.Action);
        Assert.Equal(2, d.CanaryReplicas); // half of 4 stable pods' requests
        Assert.Equal(0, d.Status.CanaryWeight);
        Assert.Equal((Shadow, ShadowStatus.Running), (d.Status.Shadow!.Revision, d.Status.Shadow.Decision));
        Assert.Contains(d.Events, e => e.Reason == "ShadowStarted" && e.Message.Contains("copy of 50% of stable's requests"));
        Assert.DoesNotContain(d.Events, e => e.Reason == "CanaryStarted");
        Assert.True(RolloutStepper.ShadowHoldsTraffic(d.Status, Shadow));
        Assert.True(RolloutStepper.ShadowRunning(d.Status, Shadow));
    }

    [Fact]
    public void IdenticalAnswers_PassAfterDuration_AndPromote_WhenNoStepsAreGiven()
    {
        var s = Step(Spec(), StableOnly(), Seen(), T0).Status;
        var first = Step(Spec(), s, Seen(check: Pass, shadow: Mirrored(12, 12)), T0.AddSeconds(5));
        Assert.Equal(RolloutAction.Wait, first.Action);
        Assert.Contains("5s of duration 10s left", first.Status.Shadow!.Message);
        Assert.Contains("12 of minRequests 20 compared", first.Status.Shadow.Message);

        var passed = Step(Spec(), first.Status, Seen(readyShadow: 2, check: Pass, shadow: Mirrored(12, 12)), T0.AddSeconds(10));

        Assert.Equal(ShadowStatus.Passed, passed.Status.Shadow!.Decision);
        Assert.Equal((24d, 24d, 1d), (passed.Status.Shadow.Mirrored, passed.Status.Shadow.Compared, passed.Status.Shadow.Agreement));
        Assert.Contains(passed.Events, e => e.Reason == "ShadowPassed" && e.Message.Contains("agreement 1 over 24 compared"));
        Assert.Equal(RolloutAction.Promoting, passed.Action); // grows to the stable size before it is promoted
        Assert.Equal(4, passed.CanaryReplicas);
        Assert.False(RolloutStepper.ShadowHoldsTraffic(passed.Status, Shadow));
        Assert.False(RolloutStepper.ShadowRunning(passed.Status, Shadow));

        var promoted = Step(Spec(), passed.Status, Seen(readyShadow: 4), T0.AddSeconds(15));
        Assert.Equal(RolloutAction.Promoted, promoted.Action);
        Assert.Equal(Shadow, promoted.Status.StableRevision);
    }

    [Fact]
    public void PassedShadow_GoesOnToTheCanarySteps_WhereTheFirstStepNeedsACheckOfItsOwn()
    {
        var s = Step(Spec(steps: true), StableOnly(), Seen(), T0).Status;
        var passed = Step(Spec(steps: true), s, Seen(check: Pass, shadow: Mirrored(30, 30)), T0.AddSeconds(10));

        Assert.Equal(RolloutAction.Wait, passed.Action);
        Assert.Equal((0, 0), (passed.Status.CurrentStep, passed.Status.FailedChecks));
        Assert.Equal(1, passed.CanaryReplicas); // 1 of 5 = 20%
        Assert.Contains(passed.Events, e => e.Reason == "ShadowPassed");
        Assert.Equal(T0.AddSeconds(10), passed.Status.StepStartTime);

        var advanced = Step(Spec(steps: true), passed.Status, Seen(check: Pass), T0.AddSeconds(15));
        Assert.Equal(RolloutAction.Promoting, advanced.Action);
    }

    [Fact]
    public void WrongAnswers_RollBackAtFailureLimit_WithTheAgreementAndExamples()
    {
        var s = Step(Spec(), StableOnly(), Seen(), T0).Status;
        var once = Step(Spec(), s, Seen(check: Wrong, shadow: Mirrored(10, 0)), T0.AddSeconds(5));
        Assert.Equal(RolloutAction.Wait, once.Action);
        Assert.Equal(1, once.Status.FailedChecks);
        Assert.Contains(once.Events, e => e is { Type: "Warning", Reason: "AnalysisFailed" } && e.Message.EndsWith("[failed checks 1 of failureLimit 2]"));

        var d = Step(Spec(), once.Status, Seen(check: Wrong, shadow: Mirrored(10, 0)), T0.AddSeconds(10));

        Assert.Equal(RolloutAction.RolledBack, d.Action);
        Assert.Equal((0, ShadowStatus.Failed, 0d), (d.CanaryReplicas, d.Status.Shadow!.Decision, d.Status.Shadow.Agreement));
        var rolledBack = d.Status.Conditions!.Single(c => c.Type == RolloutStepper.RolledBackCondition);
        Assert.Equal("ShadowAnalysisFailed", rolledBack.Reason);
        Assert.Contains("agreement 0 over 20 compared", rolledBack.Message);
        Assert.Contains("stable top-1 3, shadow top-1 4", rolledBack.Message);
        Assert.True(RolloutStepper.ShadowHoldsTraffic(d.Status, Shadow)); // a failed shadow never gets users
    }

    [Fact]
    public void HaltedShadow_KeepsItsPods_ButStillNoUserTraffic()
    {
        var s = Step(Spec(autoRollback: false), StableOnly(), Seen(), T0).Status;
        s = Step(Spec(autoRollback: false), s, Seen(check: Wrong, shadow: Mirrored(10, 0)), T0.AddSeconds(5)).Status;
        var d = Step(Spec(autoRollback: false), s, Seen(check: Wrong, shadow: Mirrored(10, 0)), T0.AddSeconds(10));

        Assert.Equal(RolloutAction.Halted, d.Action);
        Assert.True(RolloutStepper.ShadowHoldsTraffic(d.Status, Shadow));
        Assert.False(RolloutStepper.ShadowRunning(d.Status, Shadow)); // and the stable pods stop mirroring
    }

    [Fact]
    public void ShadowThatNeverAnswers_FailsAtTheProgressDeadline()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyShadow: 0), T0).Status;
        var d = Step(Spec(), s, Seen(readyShadow: 0), T0.AddMinutes(2));

        Assert.Equal(RolloutAction.RolledBack, d.Action);
        Assert.Contains("no shadow pod became ready", d.Status.Conditions!.Single(c => c.Type == RolloutStepper.RolledBackCondition).Message);
    }

    [Fact]
    public void ProgressIsKeptInStatus_SoARestartedOperatorGoesOnWithTheSameTallies()
    {
        var s = Step(Spec(), StableOnly(), Seen(), T0).Status;
        s = Step(Spec(), s, Seen(check: Pass, shadow: Mirrored(12, 11)), T0.AddSeconds(5)).Status;
        var d = Step(Spec(), s, Seen(check: Pass, shadow: Mirrored(12, 12)), T0.AddSeconds(10)); // Step round-trips status through JSON

        Assert.Equal(ShadowStatus.Passed, d.Status.Shadow!.Decision);
        Assert.Equal(23d, d.Status.Shadow.Outputs!.Single().Agreeing);
        Assert.Equal(Math.Round(23 / 24d, 4), d.Status.Shadow.Agreement);
    }

    [Fact]
    public void RemovingTheShadowFromTheSpec_MidPhase_GoesOnAsACanary()
    {
        var s = Step(Spec(steps: true), StableOnly(), Seen(), T0).Status;
        var spec = Spec(steps: true);
        spec.Rollout!.Shadow = null;
        var d = Step(spec, s, Seen(), T0.AddSeconds(5));

        Assert.Null(d.Status.Shadow);
        Assert.Contains(d.Events, e => e.Reason == "ShadowRemoved");
        Assert.Equal(1, d.CanaryReplicas);
    }

    [Theory]
    [InlineData(0.1, 4, 10, 1)]
    [InlineData(0.5, 4, 10, 2)]
    [InlineData(1, 4, 10, 4)]
    [InlineData(1, 8, 3, 3)] // at most replicas.max
    [InlineData(0.01, 0, 10, 1)]
    public void ShadowReplicas_CarryTheFractionOfStablesLoad(double fraction, int stable, int max, int expected) =>
        Assert.Equal(expected, RolloutStepper.ShadowReplicas(fraction, stable, max));
}
