using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>The planner applying the stepper's decisions to Deployments, and reporting admission and scheduling.</summary>
public sealed class CanaryPlanTests
{
    private static readonly OperatorSettings Settings = new("registry.local/model-runtime:test");
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static ModelDeployment WithRollout(string uri = "oci://registry.local/models/resnet:1.0") => Samples.Model(edit: s =>
    {
        s.Model.Uri = uri;
        s.Replicas = new ReplicasSpec { Min = 4, Max = 8 };
        s.Benchmark = new BenchmarkSpec { Gate = new BenchmarkGate { MaxP95Ms = 50 } };
        s.Rollout = new RolloutSpec
        {
            Steps = [new RolloutStep { Weight = 20 }, new RolloutStep { Weight = 50 }],
            Analysis = new AnalysisSpec { Interval = "5s", MaxP95Ms = 20, FailureLimit = 1 },
        };
    });

    private static V1Deployment Stored(V1Deployment d, int ready)
    {
        var copy = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(d));
        copy.Status = new V1DeploymentStatus { ReadyReplicas = ready };
        return copy;
    }

    // v1 serving with 4 ready pods, then the spec moves to v2.
    private static (ModelDeployment Md, V1Deployment Stable, V1Service Service) StableThenNewSpec()
    {
        var md = WithRollout();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        var stable = Stored(first.DeploymentToApply!, 4);
        md.Status = first.Status;
        md.Status = ReconcilePlanner.Plan(md, [stable], first.ServiceToApply, Settings, T0).Status ?? md.Status;
        md.Spec.Model.Uri = "oci://registry.local/models/resnet:2.0";
        md.Metadata.Generation = 2;
        return (md, stable, first.ServiceToApply!);
    }

    [Fact]
    public void PodTemplate_CarriesTheAdmissionReadinessGate()
    {
        var d = ReconcilePlanner.Plan(WithRollout(), [], null, Settings, T0).DeploymentToApply!;
        Assert.Equal(WellKnown.AdmittedCondition, Assert.Single(d.Spec.Template.Spec.ReadinessGates).ConditionType);
    }

    [Fact]
    public void GpuPods_TolerateTheGpuTaint_AsExtendedResourceTolerationWould()
    {
        var md = Samples.Model(edit: s => { s.Runtime!.Device = "cuda"; s.Gpu = new GpuSpec { Count = 1 }; });
        var t = Assert.Single(ReconcilePlanner.Plan(md, [], null, Settings, T0).DeploymentToApply!.Spec.Template.Spec.Tolerations);
        Assert.Equal(("nvidia.com/gpu", "Exists", "NoSchedule"), (t.Key, t.OperatorProperty, t.Effect));
        Assert.Null(ReconcilePlanner.Plan(Samples.Model(), [], null, Settings, T0).DeploymentToApply!.Spec.Template.Spec.Tolerations);
    }

    [Fact]
    public void BenchInputShapes_BecomeServeArguments()
    {
        var md = Samples.Model(edit: s => s.Benchmark = new BenchmarkSpec { InputShapes = new() { ["image"] = [1, 3, 224, 224] } });
        var args = ReconcilePlanner.Plan(md, [], null, Settings, T0).DeploymentToApply!.Spec.Template.Spec.Containers[0].Args;
        Assert.Contains("--bench-input-shape", args);
        Assert.Contains("image=1,3,224,224", args);
    }

    [Fact]
    public void NewRevision_IsACanarySurge_StableUntouched()
    {
        var (md, stable, service) = StableThenNewSpec();
        var plan = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));

        Assert.Equal(1, plan.DeploymentToApply!.Spec.Replicas); // 1 beside 4 = 20%
        Assert.Empty(plan.DeploymentsToDelete);
        Assert.Equal(plan.Revision, plan.Status!.CanaryRevision);
        Assert.Equal(Phases.Progressing, plan.Status.Phase);
        Assert.Equal("True", plan.Status.Conditions!.Single(c => c.Type == "Ready").Status);
        Assert.Contains(plan.Events!, e => e.Reason == "CanaryStarted");
    }

    [Fact]
    public void CanaryRefusedByTheGate_IsRolledBackToZero_AndReportedWithTheNode()
    {
        var (md, stable, service) = StableThenNewSpec();
        var start = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
        md.Status = start.Status;
        var canary = Stored(start.DeploymentToApply!, 0);
        var refused = new AdmissionDecision(false, AdmissionDecision.GateFailed, "Benchmark gate failed on node gpu-1: p95 80ms at batch 1 exceeds maxP95Ms 50");
        var inputs = new RolloutInputs([], [new PodVerdict("resnet-x-1", start.Revision, "gpu-1", refused, [new BenchmarkResult { BatchSize = 1, P95Ms = 80, Throughput = 12 }])], null);

        var plan = ReconcilePlanner.Plan(md, [stable, canary], service, Settings, T0.AddMinutes(2), inputs);

        Assert.Equal(0, plan.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(Phases.RolledBack, plan.Status!.Phase);
        var gate = plan.Status.Conditions!.Single(c => c.Type == "BenchmarkPassed");
        Assert.Equal(("False", "BenchmarkGateFailed"), (gate.Status, gate.Reason));
        Assert.Contains("node gpu-1", gate.Message);
        Assert.Equal("True", plan.Status.Conditions!.Single(c => c.Type == "RolledBack").Status);
        var bench = Assert.Single(plan.Status.Benchmarks!);
        Assert.Equal((start.Revision, "gpu-1", 80.0), (bench.Revision, bench.Node, bench.P95Ms));

        md.Status = plan.Status;
        var later = ReconcilePlanner.Plan(md, [stable, Stored(plan.DeploymentToApply!, 0)], service, Settings, T0.AddMinutes(5), inputs);
        Assert.Null(later.DeploymentToApply); // stays at zero, not retried
        Assert.Empty(later.Events!);
    }

    [Fact]
    public void CanaryPassingEveryStep_IsPromoted_AndTheOldDeploymentRemoved()
    {
        var (md, stable, service) = StableThenNewSpec();
        var plan = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
        var pass = new IntervalVerdict(CheckResult.Passed, "Check passed", new RevisionWindow(50, 0, 5), new RevisionWindow(200, 0, 5));
        var now = T0.AddMinutes(1);
        var canaryReady = 1;
        for (var i = 0; i < 6 && plan.Status?.StableRevision != plan.Revision; i++)
        {
            md.Status = plan.Status ?? md.Status;
            now = now.AddSeconds(5);
            var canary = Stored(plan.DeploymentToApply ?? ReconcilePlanner.Plan(md, [], null, Settings, now).DeploymentToApply!, canaryReady);
            canaryReady = canary.Spec.Replicas ?? 0;
            plan = ReconcilePlanner.Plan(md, [stable, Stored(canary, canaryReady)], service, Settings, now, new RolloutInputs([], [], i == 0 ? null : pass));
        }

        Assert.Equal(plan.Revision, plan.Status!.StableRevision);
        Assert.Equal([stable.Metadata.Name], plan.DeploymentsToDelete);
        Assert.Equal("Promoted", plan.Status.History!.Last().Outcome);
    }

    [Fact]
    public void UnschedulablePods_AreReportedWithTheSchedulersMessage_WhileStableServes()
    {
        var (md, stable, service) = StableThenNewSpec();
        var start = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
        md.Status = start.Status;
        var pending = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "resnet-x-abc", Labels = ChildObjects.Labels("resnet", start.Revision) },
            Status = new V1PodStatus { Phase = "Pending", Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable",
                Message = "0/3 nodes are available: 2 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint {nvidia.com/gpu: present}." }] },
        };

        var plan = ReconcilePlanner.Plan(md, [stable, Stored(start.DeploymentToApply!, 0)], service, Settings, T0.AddMinutes(2), new RolloutInputs([pending], [], null));

        var progressing = plan.Status!.Conditions!.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "Unschedulable"), (progressing.Status, progressing.Reason));
        Assert.Contains("pod resnet-x-abc cannot be scheduled: 0/3 nodes are available: 2 Insufficient nvidia.com/gpu", progressing.Message);
        Assert.Equal("True", plan.Status.Conditions!.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public void UnschedulableFirstRevision_IsReportedToo()
    {
        var md = WithRollout();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        var pending = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "resnet-y-1", Labels = ChildObjects.Labels("resnet", first.Revision) },
            Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/1 nodes are available: 1 Insufficient nvidia.com/gpu." }] },
        };
        var plan = ReconcilePlanner.Plan(md, [], null, Settings, T0, new RolloutInputs([pending], [], null));
        Assert.Equal("Unschedulable", plan.Status!.Conditions!.Single(c => c.Type == "Progressing").Reason);
    }
}
