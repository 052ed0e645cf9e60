using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;
using static ModelOperator.Operator.Tests.Unit.Conditions.PlanFixture;

namespace ModelOperator.Operator.Tests.Unit.Conditions;

/// <summary>
/// Reconciling and Stalled as kstatus (Flux's health checks) reads them, next to Ready as <c>kubectl wait</c> reads it:
/// in progress is Reconciling=True, failed is Stalled=True, current is both False, every condition at the observed generation.
/// </summary>
public sealed class KstatusConditionsTests
{
    [Fact]
    public void NewRevisionNotYetReady_IsReconciling_NotStalled()
    {
        var plan = ReconcilePlanner.Plan(Samples.Model(), [], null, Settings, T0);

        Assert.Equal(("True", "RevisionRollingOut"), Of(plan.Status!, "Reconciling"));
        Assert.Equal("False", Of(plan.Status!, "Stalled").Status);
        Assert.Equal("False", Of(plan.Status!, "Ready").Status);
    }

    [Fact]
    public void RevisionRolledOut_IsNeitherReconcilingNorStalled_AndEveryConditionNamesTheGeneration()
    {
        var md = Samples.Model();
        md.Metadata.Generation = 7;
        var (served, _, _) = Serving(md, ready: 2);

        Assert.Equal(("True", "MinimumReplicasAvailable"), Of(served.Status!, "Ready"));
        Assert.Equal(("False", KstatusConditions.Reconciled), Of(served.Status!, "Reconciling"));
        Assert.Equal(("False", KstatusConditions.Reconciled), Of(served.Status!, "Stalled"));
        Assert.All(served.Status!.Conditions!, c => Assert.Equal(7, c.ObservedGeneration));
        Assert.Equal(7, served.Status.ObservedGeneration);
    }

    [Fact]
    public void InvalidSpec_IsStalled_WithTheValidationMessage()
    {
        var plan = ReconcilePlanner.Plan(Samples.Model(edit: s => s.Replicas = new ReplicasSpec { Min = 3, Max = 1 }), [], null, Settings, T0);

        var stalled = Condition(plan.Status!, "Stalled");
        Assert.Equal(("True", SpecValidator.Reason), (stalled.Status, stalled.Reason));
        Assert.Contains("spec.replicas.min 3 exceeds spec.replicas.max 1", stalled.Message);
        Assert.Equal("False", Of(plan.Status!, "Reconciling").Status);
    }

    [Fact]
    public void ScalingUpTheServingRevision_KeepsReadyTrue_WhileReconciling()
    {
        var (md, stable, service) = Serving(Samples.Model(), ready: 2);
        md.Spec.Replicas!.Min = 3;
        md.Metadata.Generation = 2;

        var plan = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));

        Assert.Equal(3, plan.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(("True", "MinimumReplicasAvailable"), Of(plan.Status!, "Ready"));
        Assert.Equal(("True", "ScalingReplicaSet"), Of(plan.Status!, "Reconciling"));
        Assert.Equal(Phases.Serving, plan.Status!.Phase);
    }

    [Fact]
    public void ScalingUpTheServingRevision_WhenItsBenchmarkGateRefusesTheNewPod_SaysSoInReconciling()
    {
        var (md, stable, service) = Serving(Samples.Model(), ready: 2);
        md.Spec.Replicas!.Min = 3;
        md.Metadata.Generation = 2;
        var revision = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1)).Revision;
        var refused = new AdmissionDecision(false, AdmissionDecision.GateFailed, "Benchmark gate failed on node gpu-3: p95 80ms exceeds maxP95Ms 50");
        var inputs = new RolloutInputs([], [new PodVerdict("resnet-x-3", revision, "gpu-3", refused, [])], null);

        var plan = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(2), inputs);

        Assert.Equal(("True", "MinimumReplicasAvailable"), Of(plan.Status!, "Ready"));
        var reconciling = Condition(plan.Status!, "Reconciling");
        Assert.Equal(("True", AdmissionDecision.GateFailed), (reconciling.Status, reconciling.Reason));
        Assert.Contains("1 not admitted and staying unready (pod resnet-x-3: Benchmark gate failed on node gpu-3", reconciling.Message);
        Assert.Equal(("False", AdmissionDecision.GateFailed), Of(plan.Status!, ReconcilePlanner.BenchmarkPassedCondition));
    }

    [Fact]
    public void WalkingCanary_IsReconciling_WhileStableKeepsReady()
    {
        var (md, stable, service) = Serving(WithRollout(), ready: 4);
        md.Spec.Model.Uri = "oci://registry.local/models/resnet:2.0";
        md.Metadata.Generation = 2;

        var plan = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));

        Assert.Equal(("True", "CanaryProgressing"), Of(plan.Status!, "Reconciling"));
        Assert.Equal(("False", "Reconciling"), Of(plan.Status!, "Stalled"));
        Assert.Equal("True", Of(plan.Status!, "Ready").Status);
        Assert.All(plan.Status!.Conditions!, c => Assert.Equal(2, c.ObservedGeneration));
    }

    [Fact]
    public void RolledBackRevision_StaysStalled_UntilTheSpecChanges()
    {
        var (md, stable, service) = Serving(WithRollout(), ready: 4);
        md.Spec.Model.Uri = "oci://registry.local/models/resnet:2.0";
        md.Metadata.Generation = 2;
        var start = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
        md.Status = start.Status;
        var canary = Stored(start.DeploymentToApply!, 0);
        var refused = new AdmissionDecision(false, AdmissionDecision.GateFailed, "Benchmark gate failed on node gpu-1: p95 80ms exceeds maxP95Ms 50");
        var inputs = new RolloutInputs([], [new PodVerdict("resnet-x-1", start.Revision, "gpu-1", refused, [])], null);

        var rolledBack = ReconcilePlanner.Plan(md, [stable, canary], service, Settings, T0.AddMinutes(2), inputs);
        md.Status = rolledBack.Status;
        var later = ReconcilePlanner.Plan(md, [stable, Stored(rolledBack.DeploymentToApply!, 0)], service, Settings, T0.AddMinutes(5), inputs);

        var stalled = Condition(rolledBack.Status!, "Stalled");
        Assert.Equal(("True", "RolledBack"), (stalled.Status, stalled.Reason));
        Assert.Contains("Benchmark gate failed on node gpu-1", stalled.Message);
        Assert.Contains("change the spec to try again", stalled.Message);
        Assert.Equal("False", Of(rolledBack.Status!, "Reconciling").Status);
        Assert.Equal("True", Of(rolledBack.Status!, "Ready").Status); // stable still serves
        Assert.True(later.IsNoOp, "a rolled-back revision awaiting a spec change must not write again");

        md.Spec.Model.Uri = "oci://registry.local/models/resnet:3.0";
        md.Metadata.Generation = 3;
        var retried = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(6));
        Assert.Equal(("False", "Reconciling"), Of(retried.Status!, "Stalled"));
        Assert.Equal("True", Of(retried.Status!, "Reconciling").Status);
    }

    [Fact]
    public void DeploymentPastItsProgressDeadline_IsStalled_AndReadyFalseSaysSo()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var stuck = Stored(first.DeploymentToApply!, 0, new V1DeploymentCondition
        {
            Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded", Message = "ReplicaSet \"resnet-abc-5d9\" has timed out progressing.",
        });

        var plan = ReconcilePlanner.Plan(md, [stuck], first.ServiceToApply, Settings, T0.AddMinutes(11));

        var stalled = Condition(plan.Status!, "Stalled");
        Assert.Equal(("True", ProgressDeadline.Reason), (stalled.Status, stalled.Reason));
        Assert.Contains("has timed out progressing", stalled.Message);
        Assert.Equal(("False", ProgressDeadline.Reason), Of(plan.Status!, "Ready"));
        Assert.Equal(("True", ProgressDeadline.Reason), Of(plan.Status!, "Degraded"));
        Assert.Equal("False", Of(plan.Status!, "Reconciling").Status);
    }

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, true)]
    [InlineData(11, true)]
    public void PodNotReadyForTheWholeDeadline_IsStalled_WhenTheDeploymentDoesNotSayIt(int minutesOld, bool stalled)
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var now = T0.AddMinutes(20);
        var pod = Pod("resnet-abc-1", first.Revision, now.AddMinutes(-minutesOld));

        var plan = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, now, Seeing(pod));

        var status = plan.Status ?? md.Status; // unchanged status is not written again
        Assert.Equal(stalled ? "True" : "False", Of(status, "Stalled").Status);
        Assert.Equal(stalled ? null : TimeSpan.FromMinutes(10 - minutesOld), plan.RequeueAfter); // look again when the deadline passes
        if (stalled) Assert.Contains("pod resnet-abc-1", Condition(status, "Stalled").Message);
    }

    [Fact]
    public void ProgressDeadline_ComesFromTheSpec_AndReachesTheDeployment()
    {
        var md = WithRollout();
        md.Spec.Rollout!.Analysis!.ProgressDeadline = "2m";

        Assert.Equal(120, ReconcilePlanner.Plan(md, [], null, Settings, T0).DeploymentToApply!.Spec.ProgressDeadlineSeconds);
        Assert.Equal(600, ReconcilePlanner.Plan(Samples.Model(), [], null, Settings, T0).DeploymentToApply!.Spec.ProgressDeadlineSeconds);
    }

    internal static ModelDeployment WithRollout() => Samples.Model(edit: s =>
    {
        s.Replicas = new ReplicasSpec { Min = 4, Max = 8 };
        s.Benchmark = new BenchmarkSpec { Gate = new BenchmarkGate { MaxP95Ms = 50 } };
        s.Rollout = new RolloutSpec
        {
            Steps = [new RolloutStep { Weight = 20 }, new RolloutStep { Weight = 50 }],
            Analysis = new AnalysisSpec { Interval = "5s", MaxP95Ms = 20, FailureLimit = 1, ProgressDeadline = "3m" },
        };
    });
}
