using k8s;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

public sealed class RolloutStepperTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private const string Canary = "bbbbbbbbbb";
    private static readonly IntervalVerdict Pass = new(CheckResult.Passed, "Check passed: canary p95 5ms", new RevisionWindow(100, 0, 5), new RevisionWindow(400, 0, 5));
    private static readonly IntervalVerdict Fail = new(CheckResult.Failed, "Check failed: p95 40ms exceeds maxP95Ms 20", new RevisionWindow(100, 0, 40), new RevisionWindow(400, 0, 5));
    private static readonly IntervalVerdict NoTraffic = new(CheckResult.Inconclusive, "Check inconclusive: no requests reached the canary in the interval", null, null);

    private static ModelDeploymentSpec Spec(bool? autoRollback = null, bool steps = true, string? deadline = null) => new()
    {
        Model = new ModelSource { Uri = "oci://r/m:2" },
        Replicas = new ReplicasSpec { Min = 1, Max = 10 },
        Rollout = new RolloutSpec
        {
            Steps = steps ? [new RolloutStep { Weight = 20, Pause = "10s" }, new RolloutStep { Weight = 50, Pause = "10s" }] : null,
            Analysis = new AnalysisSpec { Interval = "5s", MaxP95Ms = 20, FailureLimit = 2, ProgressDeadline = deadline ?? "1m" },
            AutoRollback = autoRollback,
        },
    };

    private static ModelDeploymentStatus StableOnly() => new() { StableRevision = "aaaaaaaaaa", Phase = Phases.Serving, Conditions = [] };

    private static RolloutObservation Seen(int readyCanary = 0, IntervalVerdict? check = null, AdmissionDecision? rejection = null) =>
        new(StableReplicas: 4, ReadyStable: 4, ReadyCanary: readyCanary, rejection, check);

    // Every step goes through JSON, as a restarted operator would read status back from the API server.
    private static RolloutDecision Step(ModelDeploymentSpec spec, ModelDeploymentStatus? status, RolloutObservation seen, DateTime now, long generation = 1) =>
        RolloutStepper.Step(spec, generation, Canary, status is null ? null : KubernetesJson.Deserialize<ModelDeploymentStatus>(KubernetesJson.Serialize(status)), seen, now);

    [Fact]
    public void NewRevision_StartsAsCanary_SizedToTheFirstStep()
    {
        var d = Step(Spec(), StableOnly(), Seen(), T0);
        Assert.Equal(RolloutAction.Wait, d.Action);
        Assert.Equal(1, d.CanaryReplicas); // 1 of 5 = 20%
        Assert.Equal((Canary, 0, 0), (d.Status.CanaryRevision, d.Status.CurrentStep, d.Status.FailedChecks));
        Assert.Equal(0, d.Status.CanaryWeight); // nothing admitted yet
        Assert.Contains(d.Events, e => e.Reason == "CanaryStarted");
        Assert.Null(d.Status.StepStartTime);
    }

    [Fact]
    public void StepClock_StartsWithTheFirstAdmittedCanaryPod_AndWeightIsTheAchievedShare()
    {
        var s = Step(Spec(), StableOnly(), Seen(), T0).Status;
        var d = Step(Spec(), s, Seen(readyCanary: 1), T0.AddSeconds(30));
        Assert.Equal(T0.AddSeconds(30), d.Status.StepStartTime);
        Assert.Equal(20, d.Status.CanaryWeight);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]  // exactly one interval after the step began
    public void CheckDue_AtTheInterval(int seconds, bool due)
    {
        var s = new ModelDeploymentStatus { CanaryRevision = Canary, StepStartTime = T0 };
        Assert.Equal(due, RolloutStepper.CheckDue(Spec(), s, T0.AddSeconds(seconds)));
    }

    [Fact]
    public void PassedCheck_AfterThePause_AdvancesToTheNextStep()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var early = Step(Spec(), s, Seen(readyCanary: 1, check: Pass), T0.AddSeconds(5));
        Assert.Equal(RolloutAction.Wait, early.Action); // pause of 10s not over
        var d = Step(Spec(), early.Status, Seen(readyCanary: 1, check: Pass), T0.AddSeconds(10));
        Assert.Equal(RolloutAction.Advance, d.Action);
        Assert.Equal(1, d.Status.CurrentStep);
        Assert.Equal(4, d.CanaryReplicas); // 4 of 8 = 50%
        Assert.Contains(d.Events, e => e.Reason == "StepAdvanced" && e.Message.Contains("step 2/2 (weight 50%)"));
    }

    [Fact]
    public void CheckThatAdvancedAStep_DoesNotCountForTheNextStep()
    {
        // Seen on the dev cluster: the check at the instant step 2 began was taken as step 2's own, and a canary was
        // promoted one pause after advancing without any check of step 2.
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var advanced = Step(Spec(), s, Seen(readyCanary: 1, check: Pass), T0.AddSeconds(10));
        Assert.Equal(RolloutAction.Advance, advanced.Action);

        var afterPause = Step(Spec(), advanced.Status, Seen(readyCanary: 4), T0.AddSeconds(20));
        Assert.Equal(RolloutAction.Wait, afterPause.Action);
        Assert.Equal(1, afterPause.Status.CurrentStep);

        var checkedStep = Step(Spec(), afterPause.Status, Seen(readyCanary: 4, check: Pass), T0.AddSeconds(21));
        Assert.Equal(RolloutAction.Promoted, checkedStep.Action); // the whole canary is ready already
    }

    [Fact]
    public void PauseOver_WithoutAPassedCheckInTheStep_Waits()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var d = Step(Spec(), s, Seen(readyCanary: 1, check: NoTraffic), T0.AddSeconds(20));
        Assert.Equal(RolloutAction.Wait, d.Action);
        Assert.Equal(0, d.Status.CurrentStep);
        Assert.Equal(0, d.Status.FailedChecks); // inconclusive counts neither way
    }

    [Fact]
    public void FailedChecks_ReachingTheLimit_RollBack_WithTheMeasuredValues()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var first = Step(Spec(), s, Seen(readyCanary: 1, check: Fail), T0.AddSeconds(5));
        Assert.Equal((RolloutAction.Wait, 1), (first.Action, first.Status.FailedChecks));
        var d = Step(Spec(), first.Status, Seen(readyCanary: 1, check: Fail), T0.AddSeconds(10));

        Assert.Equal(RolloutAction.RolledBack, d.Action);
        Assert.Equal(0, d.CanaryReplicas);
        Assert.Equal((Canary, 1L), (d.Status.FailedRevision, d.Status.FailedGeneration));
        var rolledBack = d.Status.Conditions!.Single(c => c.Type == "RolledBack");
        Assert.Equal(("True", "AnalysisFailed"), (rolledBack.Status, rolledBack.Reason));
        Assert.Contains("2 failed checks reached failureLimit 2; last: Check failed: p95 40ms exceeds maxP95Ms 20", rolledBack.Message);
        Assert.Equal("RolledBack", d.Status.History!.Last().Outcome);
        Assert.Equal(40, d.Status.LastAnalysis!.CanaryP95Ms);
        Assert.Contains(d.Events, e => e is { Type: "Warning", Reason: "RolledBack" });
        Assert.Equal("aaaaaaaaaa", d.Status.StableRevision);
    }

    [Fact]
    public void EveryIntervalsVerdict_IsAnEvent_WithWhereTheCountStands()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var inconclusive = Step(Spec(), s, Seen(readyCanary: 1, check: NoTraffic), T0.AddSeconds(5));
        var failed = Step(Spec(), inconclusive.Status, Seen(readyCanary: 1, check: Fail), T0.AddSeconds(10));
        var passed = Step(Spec(), failed.Status, Seen(readyCanary: 1, check: Pass), T0.AddSeconds(15));

        Assert.Equal(new RolloutEvent("Normal", "AnalysisInconclusive", "Check inconclusive: no requests reached the canary in the interval [failed checks 0 of failureLimit 2]"),
            Assert.Single(inconclusive.Events));
        Assert.Equal(new RolloutEvent("Warning", "AnalysisFailed", "Check failed: p95 40ms exceeds maxP95Ms 20 [failed checks 1 of failureLimit 2]"),
            Assert.Single(failed.Events));
        Assert.Contains(new RolloutEvent("Normal", "AnalysisPassed", "Check passed: canary p95 5ms [failed checks 1 of failureLimit 2]"), passed.Events);
    }

    [Fact]
    public void RolledBackRevision_IsNotRetried_UntilTheSpecChanges()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1, rejection: new AdmissionDecision(false, "SignatureChanged", "input 'x' shape changed")), T0).Status;
        var again = Step(Spec(), s, Seen(), T0.AddMinutes(5));
        Assert.Equal((RolloutAction.Blocked, 0), (again.Action, again.CanaryReplicas));
        Assert.Empty(again.Events);

        var changed = Step(Spec(), s, Seen(), T0.AddMinutes(5), generation: 2);
        Assert.Equal(RolloutAction.Wait, changed.Action);
        Assert.Equal(1, changed.CanaryReplicas);
        Assert.Null(changed.Status.FailedRevision);
    }

    [Fact]
    public void RefusedAdmission_RollsBack_WithTheRefusalAsReason()
    {
        var rejection = new AdmissionDecision(false, AdmissionDecision.GateFailed, "Benchmark gate failed on node n1: p95 9ms at batch 1 exceeds maxP95Ms 5");
        var d = Step(Spec(), StableOnly(), Seen(rejection: rejection), T0);
        Assert.Equal(RolloutAction.RolledBack, d.Action);
        var c = d.Status.Conditions!.Single(c => c.Type == "RolledBack");
        Assert.Equal("BenchmarkGateFailed", c.Reason);
        Assert.Contains("node n1", c.Message);
    }

    [Theory]
    [InlineData(60, RolloutAction.Wait)]            // exactly at the deadline: not past it
    [InlineData(61, RolloutAction.RolledBack)]
    public void NoConclusiveCheck_UntilTheProgressDeadline_Fails(int seconds, RolloutAction expected)
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var d = Step(Spec(), s, Seen(readyCanary: 1, check: NoTraffic), T0.AddSeconds(seconds));
        Assert.Equal(expected, d.Action);
        if (expected == RolloutAction.RolledBack)
            Assert.Equal("ProgressDeadlineExceeded", d.Status.Conditions!.Single(c => c.Type == "RolledBack").Reason);
    }

    [Fact]
    public void AutoRollbackFalse_StopsInPlace_ForAPersonToDecide()
    {
        var s = Step(Spec(autoRollback: false), StableOnly(), Seen(readyCanary: 1), T0).Status;
        s = Step(Spec(autoRollback: false), s, Seen(readyCanary: 1, check: Fail), T0.AddSeconds(5)).Status;
        var d = Step(Spec(autoRollback: false), s, Seen(readyCanary: 1, check: Fail), T0.AddSeconds(10));
        Assert.Equal((RolloutAction.Halted, 1), (d.Action, d.CanaryReplicas));
        var p = d.Status.Conditions!.Single(c => c.Type == "Progressing");
        Assert.Equal(("False", "AnalysisFailed"), (p.Status, p.Reason));
        var later = Step(Spec(autoRollback: false), d.Status, Seen(readyCanary: 1), T0.AddMinutes(1));
        Assert.Equal((RolloutAction.Blocked, 1), (later.Action, later.CanaryReplicas));
    }

    [Fact]
    public void LastStepPassed_GrowsTheCanary_ThenPromotesOnceReady()
    {
        var spec = Spec();
        var s = Step(spec, StableOnly(), Seen(readyCanary: 1), T0).Status;
        s = Step(spec, s, Seen(readyCanary: 1, check: Pass), T0.AddSeconds(10)).Status;           // to step 2
        var promoting = Step(spec, s, Seen(readyCanary: 3, check: Pass), T0.AddSeconds(20));
        Assert.Equal((RolloutAction.Promoting, 4), (promoting.Action, promoting.CanaryReplicas));
        Assert.Equal(Canary, promoting.Status.CanaryRevision);
        var d = Step(spec, promoting.Status, Seen(readyCanary: 4), T0.AddSeconds(25));
        Assert.Equal(RolloutAction.Promoted, d.Action);
        Assert.Equal((Canary, (string?)null, 0), (d.Status.StableRevision, d.Status.CanaryRevision, d.Status.FailedChecks));
        Assert.Equal("Promoted", d.Status.History!.Last().Outcome);
        Assert.Contains(d.Events, e => e.Reason == "Promoted");
    }

    [Fact]
    public void NoSteps_PromotesOnceAdmittedAtFullSize()
    {
        var spec = Spec(steps: false);
        var d = Step(spec, StableOnly(), Seen(readyCanary: 2), T0);
        Assert.Equal((RolloutAction.Promoting, 4), (d.Action, d.CanaryReplicas));
        Assert.Equal(RolloutAction.Promoted, Step(spec, d.Status, Seen(readyCanary: 4), T0.AddSeconds(1)).Action);
    }

    [Fact]
    public void RequeueAfter_IsTheNextIntervalOrPauseEnd()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var d = Step(Spec(), s, Seen(readyCanary: 1), T0.AddSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(3), d.RequeueAfter);
    }

    [Fact]
    public void RequeueAfter_IsASecond_WhenACheckIsOverdueButWasNotMade()
    {
        // The analyser judged "not due" on its clock (whole seconds) a moment before the planner's clock passed the
        // interval: the look for that check must come at once, not at the progress deadline minutes away.
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        var d = Step(Spec(), s, Seen(readyCanary: 1), T0.AddSeconds(5.01));

        Assert.Equal(TimeSpan.FromSeconds(1), d.RequeueAfter);
    }

    [Fact]
    public void RequeueAfter_IgnoresAPauseThatHasEnded_AndWaitsForTheCheck()
    {
        var s = Step(Spec(), StableOnly(), Seen(readyCanary: 1), T0).Status;
        s = Step(Spec(), s, Seen(readyCanary: 1, check: NoTraffic), T0.AddSeconds(9)).Status;

        // Pause (10s) over at 10s, no passed check yet: the next check is due at 9s + 5s.
        var d = Step(Spec(), s, Seen(readyCanary: 1), T0.AddSeconds(11));

        Assert.Equal(TimeSpan.FromSeconds(3), d.RequeueAfter);
    }
}
