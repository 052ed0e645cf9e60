using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;
using static ModelOperator.Operator.Tests.Unit.Conditions.PlanFixture;

namespace ModelOperator.Operator.Tests.Unit.Conditions;

/// <summary>What the kubelet says about a failing runtime pod reaches the ModelDeployment's Ready and Degraded.</summary>
public sealed class PodFailureReportingTests
{
    [Theory]
    [InlineData("CrashLoopBackOff", "back-off 40s restarting failed container=runtime pod=resnet-abc-1_default")]
    [InlineData("ErrImagePull", "image ghcr.io/x/model-runtime:nope maps to nothing")]
    [InlineData("ImagePullBackOff", "Back-off pulling image \"ghcr.io/x/model-runtime:nope\"")]
    [InlineData("CreateContainerConfigError", "secret \"registry-creds\" not found")]
    public void FirstRevisionWithAFailingPod_IsNotReady_WithThePodsReasonAndMessage(string reason, string message)
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var pod = Pod("resnet-abc-1", first.Revision, T0, state: Waiting(reason, message));

        var plan = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, T0.AddMinutes(1), Seeing(pod));

        foreach (var type in new[] { "Ready", "Degraded" })
        {
            var c = Condition(plan.Status!, type);
            Assert.Equal(reason, c.Reason);
            Assert.Contains($"pod resnet-abc-1 container runtime: {reason}: {message}", c.Message);
        }
        Assert.Equal("False", Of(plan.Status!, "Ready").Status);
        Assert.Equal("True", Of(plan.Status!, "Degraded").Status);
        Assert.Equal(Phases.Failed, plan.Status!.Phase);
        Assert.Equal("True", Of(plan.Status!, "Reconciling").Status); // the kubelet keeps trying until the progress deadline
    }

    [Fact]
    public void CrashLoop_ReportsTheLastExit()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var last = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error", Message = "model-runtime: cannot pull oci://registry.local/models/missing:1.0: 404 Not Found" } };
        var pod = Pod("resnet-abc-1", first.Revision, T0, state: Waiting("CrashLoopBackOff", "back-off 10s restarting failed container"), last: last);

        var plan = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, T0.AddMinutes(1), Seeing(pod));

        Assert.EndsWith("last exit code 1 (Error): model-runtime: cannot pull oci://registry.local/models/missing:1.0: 404 Not Found", Condition(plan.Status!, "Degraded").Message);
    }

    [Fact]
    public void CrashLoop_WithTheLogTailAsTerminationMessage_ReportsItsLastLine_TheRuntimesFailure()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var tail = "{\"LogLevel\":\"Information\",\"Message\":\"Fetching s3://models/resnet.onnx\"}\n" +
            "model-runtime serve: no such key 'resnet.onnx' in bucket 'models' at http://minio:9000\n";
        var last = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error", Message = tail } };
        var pod = Pod("resnet-abc-1", first.Revision, T0, state: Waiting("CrashLoopBackOff", "back-off 10s restarting failed container"), last: last);

        var plan = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, T0.AddMinutes(1), Seeing(pod));

        Assert.EndsWith("last exit code 1 (Error): model-runtime serve: no such key 'resnet.onnx' in bucket 'models' at http://minio:9000",
            Condition(plan.Status!, "Degraded").Message);
    }

    [Fact]
    public void CrashLoopingContainerRunningBetweenBackOffs_StaysDegraded_SoTheConditionDoesNotFlap()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var last = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error" } };
        var running = Pod("resnet-abc-1", first.Revision, T0, state: new V1ContainerState { Running = new V1ContainerStateRunning() }, last: last);

        var plan = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, T0.AddMinutes(1), Seeing(running));

        var degraded = Condition(plan.Status!, "Degraded");
        Assert.Equal(("True", "CrashLoopBackOff"), (degraded.Status, degraded.Reason));
        Assert.Contains("restarted 4 times and is not ready; last exit code 1 (Error)", degraded.Message);
    }

    [Fact]
    public void HealthyPods_LeaveDegradedFalse()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var starting = Pod("resnet-abc-1", first.Revision, T0, state: Waiting("ContainerCreating", ""));

        var plan = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, T0.AddMinutes(1), Seeing(starting));

        var status = plan.Status ?? md.Status; // unchanged status is not written again
        Assert.Equal(("False", "AsExpected"), Of(status, "Degraded"));
        Assert.Equal(("False", "ReplicasNotReady"), Of(status, "Ready"));
    }

    [Fact]
    public void CrashLoopingCanary_IsDegraded_WhileTheStableRevisionKeepsServing()
    {
        var (md, stable, service) = Serving(KstatusConditionsTests.WithRollout(), ready: 4);
        md.Spec.Model.Uri = "oci://registry.local/models/missing:2.0";
        md.Metadata.Generation = 2;
        var start = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
        md.Status = start.Status;
        var crashing = Pod("resnet-new-1", start.Revision, T0.AddMinutes(1), state: Waiting("CrashLoopBackOff", "back-off 20s restarting failed container"));
        var serving = Pod("resnet-old-1", md.Status!.StableRevision!, T0, ready: true, state: new V1ContainerState { Running = new V1ContainerStateRunning() });

        var plan = ReconcilePlanner.Plan(md, [stable, Stored(start.DeploymentToApply!, 0)], service, Settings, T0.AddMinutes(2), Seeing(crashing, serving));

        Assert.Equal(("True", "StableRevisionServing"), Of(plan.Status!, "Ready"));
        var degraded = Condition(plan.Status!, "Degraded");
        Assert.Equal(("True", "CrashLoopBackOff"), (degraded.Status, degraded.Reason));
        Assert.StartsWith($"Canary revision {start.Revision}: pod resnet-new-1 container runtime: CrashLoopBackOff", degraded.Message);
    }

    [Fact]
    public void CanaryCrashLoopingPastTheDeadline_IsRolledBack_NamingThePodsFailure()
    {
        var (md, stable, service) = Serving(KstatusConditionsTests.WithRollout(), ready: 4);
        md.Spec.Model.Uri = "oci://registry.local/models/missing:2.0";
        md.Metadata.Generation = 2;
        var start = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
        md.Status = start.Status;
        var crashing = Pod("resnet-new-1", start.Revision, T0.AddMinutes(1), state: Waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container"));

        var plan = ReconcilePlanner.Plan(md, [stable, Stored(start.DeploymentToApply!, 0)], service, Settings, T0.AddMinutes(5), Seeing(crashing));

        Assert.Equal(Phases.RolledBack, plan.Status!.Phase);
        var stalled = Condition(plan.Status!, "Stalled");
        Assert.Equal(("True", "RolledBack"), (stalled.Status, stalled.Reason));
        Assert.Contains("ProgressDeadlineExceeded", stalled.Message);
        Assert.Contains("pod resnet-new-1 container runtime: CrashLoopBackOff", stalled.Message);
        Assert.Equal("True", Of(plan.Status!, "Ready").Status);
    }

    [Fact]
    public void FailingStablePod_IsDegraded_WhileOthersServe()
    {
        var (md, stable, service) = Serving(Samples.Model(), ready: 2);
        var revision = md.Status!.StableRevision!;
        var oom = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled" } };
        var pods = Seeing(Pod("resnet-abc-1", revision, T0, ready: true), Pod("resnet-abc-2", revision, T0, state: Waiting("CrashLoopBackOff", "back-off 10s"), last: oom));

        var plan = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1), pods);

        Assert.Equal("True", Of(plan.Status!, "Ready").Status);
        Assert.Equal(("True", "CrashLoopBackOff"), Of(plan.Status!, "Degraded"));
        Assert.Contains("last exit code 137 (OOMKilled)", Condition(plan.Status!, "Degraded").Message);
    }

    [Fact]
    public void PodsBeingDeleted_AreNotReported()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var leaving = Pod("resnet-abc-1", first.Revision, T0, state: Waiting("CrashLoopBackOff", "back-off"));
        leaving.Metadata.DeletionTimestamp = T0;

        var plan = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, T0.AddMinutes(1), Seeing(leaving));

        Assert.Equal("False", Of(plan.Status ?? md.Status, "Degraded").Status);
    }
}
