using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.ScaleToZero;
using static ModelOperator.Operator.Tests.Unit.Conditions.PlanFixture;

namespace ModelOperator.Operator.Tests.Unit.ScaleToZero;

/// <summary>The planner for a model with spec.autoscaling.scaleToZero: at zero, woken by demand, timing out, measured.</summary>
public sealed class ScaleToZeroPlanTests
{
    private static readonly DateTime ScaledAt = T0.AddMinutes(10);

    private static ModelDeployment Model(string? coldStartTimeout = null) => Samples.Model(edit: s =>
    {
        s.Replicas = new ReplicasSpec { Min = 0, Max = 4 };
        s.Autoscaling = new AutoscalingSpec { TargetMs = 50, ScaleToZero = new ScaleToZeroSpec { IdleAfter = "5m", ColdStartTimeout = coldStartTimeout } };
    });

    // A model that served one pod, then the autoscaler set status.replicas to 0 at ScaledAt and the planner applied it.
    private static (ModelDeployment Md, V1Deployment Deployment, V1Service Service) AtZero(string? coldStartTimeout = null)
    {
        var (md, stable, service) = Serving(Model(coldStartTimeout), ready: 1);
        md.Status!.Replicas = 0;
        md.Status.LastScaleTime = ScaledAt;
        var zero = ReconcilePlanner.Plan(md, [stable], service, Settings, ScaledAt);
        md.Status = zero.Status;
        return (md, Stored(zero.DeploymentToApply!, 0), service);
    }

    private static void Demand(ModelDeployment md, DateTime at) =>
        md.Metadata.Annotations = new Dictionary<string, string> { [Operator.ScaleToZero.Demand.Annotation] = Operator.ScaleToZero.Demand.Value(new DateTimeOffset(at)) };

    [Fact]
    public void AFreshModel_StartsWithOnePod_SoItsRevisionIsVerifiedBeforeItIdles()
    {
        var plan = ReconcilePlanner.Plan(Model(), [], null, Settings, T0);

        Assert.Equal(1, plan.DeploymentToApply!.Spec.Replicas);
    }

    [Fact]
    public void AtZero_IsReadyScaledToZero_ServingOnDemand_AndSettled()
    {
        var (md, deployment, _) = AtZero();

        Assert.Equal(0, deployment.Spec.Replicas);
        Assert.Equal(Phases.ScaledToZero, md.Status!.Phase);
        var ready = Condition(md.Status, "Ready");
        Assert.Equal(("True", "ScaledToZero"), (ready.Status, ready.Reason));
        Assert.Contains("serves on demand", ready.Message);
        Assert.Contains("after 5m without requests", ready.Message);
        Assert.Equal("False", Of(md.Status, "Reconciling").Status);
        Assert.Equal("False", Of(md.Status, "Stalled").Status);
        Assert.Equal(0, md.Status.Replicas);
    }

    [Fact]
    public void DemandAfterTheScaleToZero_WakesOnePod_InTheSameReconcile_AndReadyStaysTrue()
    {
        var (md, deployment, service) = AtZero();
        Demand(md, ScaledAt.AddMinutes(5).AddMilliseconds(250));

        var plan = ReconcilePlanner.Plan(md, [deployment], service, Settings, ScaledAt.AddMinutes(5).AddSeconds(1));

        Assert.Equal(1, plan.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(1, plan.Status!.Replicas);
        var ready = Condition(plan.Status, "Ready");
        Assert.Equal(("True", ScaleToZeroStatus.ColdStarting), (ready.Status, ready.Reason));
        Assert.Contains("2026-01-01T12:15:00.250Z", ready.Message);
        Assert.Equal(("True", ScaleToZeroStatus.ColdStarting), Of(plan.Status, "Progressing"));
        Assert.NotNull(plan.RequeueAfter); // to report the timeout if no pod comes
    }

    [Fact]
    public void DemandOlderThanTheScaleToZero_DoesNotWakeIt()
    {
        var (md, deployment, service) = AtZero();
        Demand(md, ScaledAt.AddMinutes(-3));

        var plan = ReconcilePlanner.Plan(md, [deployment], service, Settings, ScaledAt.AddMinutes(5));

        Assert.True(plan.DeploymentToApply is null || plan.DeploymentToApply.Spec.Replicas == 0);
        Assert.Equal(("True", "ScaledToZero"), Of(plan.Status ?? md.Status, "Ready"));
    }

    [Fact]
    public void AColdStartPastItsTimeout_IsReadyFalse_NamingTheTimeoutAndTheFailingPod()
    {
        var (md, deployment, service) = AtZero(coldStartTimeout: "30s");
        var woken = ScaledAt.AddMinutes(5);
        Demand(md, woken);
        var wake = ReconcilePlanner.Plan(md, [deployment], service, Settings, woken.AddSeconds(1));
        md.Status = wake.Status;
        var pending = Stored(wake.DeploymentToApply!, 0);
        var pod = Pod("resnet-x-1", wake.Revision, woken.AddSeconds(1), state: Waiting("CrashLoopBackOff", "back-off 20s restarting failed container"));

        var within = ReconcilePlanner.Plan(md, [pending], service, Settings, woken.AddSeconds(29), Seeing(pod));
        var past = ReconcilePlanner.Plan(md, [pending], service, Settings, woken.AddSeconds(31), Seeing(pod));
        var pastWithoutPod = ReconcilePlanner.Plan(md, [pending], service, Settings, woken.AddSeconds(31));

        Assert.Equal(("True", ScaleToZeroStatus.ColdStarting), Of(within.Status, "Ready"));
        var ready = Condition(past.Status, "Ready");
        Assert.Equal(("False", ScaleToZeroStatus.ColdStartTimedOut), (ready.Status, ready.Reason));
        Assert.Contains("within scaleToZero.coldStartTimeout 30s", ready.Message);
        Assert.Contains("CrashLoopBackOff", ready.Message);
        Assert.Contains("503 with Retry-After", ready.Message);
        Assert.Equal(Phases.Failed, past.Status!.Phase);
        Assert.Equal("True", Of(past.Status, "Degraded").Status);
        Assert.Equal(("True", ScaleToZeroStatus.ColdStartTimedOut), Of(pastWithoutPod.Status, "Degraded"));
        Assert.Contains("no pod became ready", Condition(pastWithoutPod.Status, "Ready").Message);
    }

    [Fact]
    public void TheFirstAdmittedPod_RecordsTheColdStart_WithItsBreakdown_Once()
    {
        var (md, deployment, service) = AtZero();
        var woken = ScaledAt.AddMinutes(5).AddMilliseconds(400);
        Demand(md, woken);
        var wake = ReconcilePlanner.Plan(md, [deployment], service, Settings, woken.AddSeconds(1));
        md.Status = wake.Status;
        var at = ScaledAt.AddMinutes(5);
        var pod = Pod("resnet-x-1", wake.Revision, at, ready: true);
        pod.Status.Conditions =
        [
            new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = at.AddSeconds(1) },
            new V1PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = at.AddSeconds(5) },
            new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = at.AddSeconds(6) },
        ];
        pod.Status.ContainerStatuses[0].State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = at.AddSeconds(2) } };

        var served = ReconcilePlanner.Plan(md, [Stored(wake.DeploymentToApply!, 1)], service, Settings, at.AddSeconds(7), Seeing(pod));

        var cold = served.Status!.ColdStart!;
        Assert.Equal((5.6, 0.6, 1.0, 3.0, 1.0), (cold.Seconds!.Value, cold.ScheduleSeconds!.Value, cold.PullSeconds!.Value, cold.LoadAndBenchmarkSeconds!.Value, cold.AdmissionSeconds!.Value));
        Assert.Equal(wake.Revision, cold.Revision);
        Assert.Equal(Phases.Serving, served.Status.Phase);
        var started = Assert.Single(served.Events!);
        Assert.Equal("ColdStarted", started.Reason);
        Assert.Contains("woke from zero in 5.6 s", started.Message);

        md.Status = served.Status;
        var again = ReconcilePlanner.Plan(md, [Stored(wake.DeploymentToApply!, 1)], service, Settings, at.AddSeconds(20), Seeing(pod));
        Assert.True(again.Events is null or { Count: 0 });
    }

    // Guards the first measured cold starts: demand at .9 s, pod conditions truncated to whole seconds, so the event said
    // "woke in 4.1 s (… load and benchmark 5 s …)", parts summing past the total.
    [Fact]
    public void AColdStartWhoseConditionsReadEarlierThanTheDemand_HasPartsThatSumToTheTotal_InTenths()
    {
        var (md, deployment, service) = AtZero();
        var at = ScaledAt.AddMinutes(5);
        var woken = at.AddMilliseconds(900);
        Demand(md, woken);
        var wake = ReconcilePlanner.Plan(md, [deployment], service, Settings, woken.AddSeconds(1));
        md.Status = wake.Status;
        var pod = Pod("resnet-x-1", wake.Revision, at, ready: true);
        pod.Status.Conditions =
        [
            new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = at },
            new V1PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = at.AddSeconds(5) },
            new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = at.AddSeconds(5) },
        ];
        pod.Status.ContainerStatuses[0].State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = at } };

        var served = ReconcilePlanner.Plan(md, [Stored(wake.DeploymentToApply!, 1)], service, Settings, at.AddSeconds(6), Seeing(pod));

        var cold = served.Status!.ColdStart!;
        Assert.Equal((4.1, 0.0, 0.0, 4.1, 0.0), (cold.Seconds!.Value, cold.ScheduleSeconds!.Value, cold.PullSeconds!.Value, cold.LoadAndBenchmarkSeconds!.Value, cold.AdmissionSeconds!.Value));
        Assert.Contains("woke from zero in 4.1 s (schedule 0.0 s, pull 0.0 s, load and benchmark 4.1 s, admission 0.0 s)", Assert.Single(served.Events!).Message);
    }

    [Fact]
    public void ASpecChangeAtZero_RollsOutTheNewRevisionAtZero()
    {
        var (md, deployment, service) = AtZero();
        md.Spec.Model.Uri = "oci://registry.local/models/resnet:2.0";
        md.Metadata.Generation = 2;

        var plan = ReconcilePlanner.Plan(md, [deployment], service, Settings, ScaledAt.AddMinutes(1));

        Assert.NotEqual(ReconcilePlanner.RevisionOf(deployment), plan.Revision);
        Assert.Equal(0, plan.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(plan.Revision, plan.Status!.StableRevision);
        Assert.Equal([deployment.Metadata.Name], plan.DeploymentsToDelete);
        Assert.Equal(("True", "ScaledToZero"), Of(plan.Status, "Ready"));
    }

    [Theory]
    [InlineData(0, null, "spec.replicas.min 0 needs spec.autoscaling.scaleToZero")]
    [InlineData(1, "5m", "spec.autoscaling.scaleToZero needs spec.replicas.min 0 (it is 1)")]
    [InlineData(0, "0s", "spec.autoscaling.scaleToZero.idleAfter '0s' must be a positive duration")]
    [InlineData(0, "soon", "spec.autoscaling.scaleToZero.idleAfter 'soon' must be a positive duration")]
    public void TheValidator_RefusesWhatTheCelRulesRefuse(int min, string? idleAfter, string expected)
    {
        var md = Samples.Model(edit: s =>
        {
            s.Replicas = new ReplicasSpec { Min = min, Max = 2 };
            if (idleAfter is not null) s.Autoscaling = new AutoscalingSpec { TargetMs = 50, ScaleToZero = new ScaleToZeroSpec { IdleAfter = idleAfter } };
        });

        Assert.Contains(SpecValidator.Validate(md), e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}
