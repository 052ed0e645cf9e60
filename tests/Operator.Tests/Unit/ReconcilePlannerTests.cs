using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class ReconcilePlannerTests
{
    private static readonly OperatorSettings Settings = new("registry.local/model-runtime:test");
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void NewModel_AppliesDeploymentAndService_AndReportsPending()
    {
        var plan = ReconcilePlanner.Plan(Samples.Model(), [], null, Settings, T0);

        Assert.Empty(plan.Errors);
        Assert.Equal($"resnet-{plan.Revision}", plan.DeploymentToApply!.Metadata.Name);
        Assert.Equal("resnet", plan.ServiceToApply!.Metadata.Name);
        Assert.Equal(Phases.Pending, plan.Status!.Phase);
        Assert.Equal(1, plan.Status.ObservedGeneration);
        var ready = plan.Status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ReplicasNotReady"), (ready.Status, ready.Reason));
    }

    [Fact]
    public void UnchangedSpec_WithChildrenAsApplied_PlansNoWrites()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var (deployment, service) = AsStored(first.DeploymentToApply!, first.ServiceToApply!);

        var second = ReconcilePlanner.Plan(md, [deployment], service, Settings, T0.AddMinutes(5));

        Assert.True(second.IsNoOp, "an unchanged spec must not write anything");
    }

    [Fact]
    public void LabelsAndAnnotationsOthersAdded_DoNotCauseWrites()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var (deployment, service) = AsStored(first.DeploymentToApply!, first.ServiceToApply!);
        deployment.Metadata.Labels["team"] = "vision";
        deployment.Metadata.Annotations = new Dictionary<string, string> { ["argocd.argoproj.io/tracking-id"] = "x" };
        service.Metadata.Labels["team"] = "vision";
        service.Spec.ClusterIP = "10.0.0.7";

        Assert.True(ReconcilePlanner.Plan(md, [deployment], service, Settings, T0).IsNoOp);
    }

    [Fact]
    public void ChildEditedByHand_IsReapplied()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var (deployment, service) = AsStored(first.DeploymentToApply!, first.ServiceToApply!);
        deployment.Spec.Template.Spec.Containers[0].Image = "evil/image:latest";

        var plan = ReconcilePlanner.Plan(md, [deployment], service, Settings, T0);

        Assert.Equal("registry.local/model-runtime:test", plan.DeploymentToApply!.Spec.Template.Spec.Containers[0].Image);
        Assert.Null(plan.ServiceToApply);
    }

    [Fact]
    public void ReadyRevision_IsServing_AndRecordedInHistory()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var (deployment, service) = AsStored(first.DeploymentToApply!, first.ServiceToApply!);
        deployment.Status = new V1DeploymentStatus { ReadyReplicas = 2 };

        var plan = ReconcilePlanner.Plan(md, [deployment], service, Settings, T0.AddMinutes(1));

        Assert.Equal(Phases.Serving, plan.Status!.Phase);
        Assert.Equal(first.Revision, plan.Status.StableRevision);
        Assert.Equal(2, plan.Status.ReadyReplicas);
        var ready = plan.Status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("True", "MinimumReplicasAvailable", T0.AddMinutes(1)), (ready.Status, ready.Reason, ready.LastTransitionTime));
        Assert.Equal(first.Revision, plan.Status.History!.Single().Revision);
    }

    [Fact]
    public void SpecChange_RollsOutNewRevision_WhileStableServes_ThenDeletesTheOld()
    {
        var md = Samples.Model();
        var v1 = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        var (d1, service) = AsStored(v1.DeploymentToApply!, v1.ServiceToApply!);
        d1.Status = new V1DeploymentStatus { ReadyReplicas = 2 };
        md.Status = ReconcilePlanner.Plan(md, [d1], service, Settings, T0).Status;

        md.Spec.Model.Uri = "oci://registry.local/models/resnet:2.0";
        md.Metadata.Generation = 2;
        var v2 = ReconcilePlanner.Plan(md, [d1], service, Settings, T0.AddMinutes(1));
        Assert.NotEqual(v1.Revision, v2.Revision);
        Assert.Empty(v2.DeploymentsToDelete);
        Assert.Equal(Phases.Progressing, v2.Status!.Phase);
        Assert.Equal(("True", "StableRevisionServing"), Ready(v2.Status));
        md.Status = v2.Status;

        var (d2, _) = AsStored(v2.DeploymentToApply!, service);
        d2.Status = new V1DeploymentStatus { ReadyReplicas = 2 };
        var done = ReconcilePlanner.Plan(md, [d1, d2], service, Settings, T0.AddMinutes(2));

        Assert.Equal([d1.Metadata.Name], done.DeploymentsToDelete);
        Assert.Equal(v2.Revision, done.Status!.StableRevision);
        Assert.Equal(2, done.Status.ObservedGeneration);
        Assert.Equal(["Superseded", "Promoted"], done.Status.History!.Select(h => h.Outcome));
    }

    [Fact]
    public void InvalidSpec_TouchesNoChild_AndSaysWhyInReady()
    {
        var md = Samples.Model(edit: s => s.Replicas = new ReplicasSpec { Min = 3, Max = 1 });

        var plan = ReconcilePlanner.Plan(md, [], null, Settings, T0);

        Assert.Null(plan.DeploymentToApply);
        Assert.Null(plan.ServiceToApply);
        Assert.Equal(Phases.Failed, plan.Status!.Phase);
        var ready = plan.Status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("False", SpecValidator.Reason), (ready.Status, ready.Reason));
        Assert.Contains("spec.replicas.min 3 exceeds spec.replicas.max 1", ready.Message);

        md.Status = plan.Status;
        Assert.True(ReconcilePlanner.Plan(md, [], null, Settings, T0.AddMinutes(1)).IsNoOp, "a second look at the same invalid spec must write nothing");
    }

    [Fact]
    public void ConditionTransitionTime_ChangesOnlyWhenStatusChanges()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        md.Metadata.Generation = 2;

        var second = ReconcilePlanner.Plan(md, [], null, Settings, T0.AddMinutes(3));

        Assert.Equal(T0, second.Status!.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal(2, second.Status.Conditions!.Single(c => c.Type == "Ready").ObservedGeneration);
    }

    private static (string, string) Ready(ModelDeploymentStatus s) => s.Conditions!.Single(c => c.Type == "Ready") is var c ? (c.Status, c.Reason) : default;

    // What the API server would store: the applied object plus fields it fills in.
    private static (V1Deployment, V1Service) AsStored(V1Deployment d, V1Service s)
    {
        var deployment = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(d));
        deployment.Metadata.ResourceVersion = "17";
        deployment.Metadata.Generation = 1;
        deployment.Spec.Template.Spec.Containers[0].ImagePullPolicy = "IfNotPresent";
        deployment.Spec.Template.Spec.Containers[0].TerminationMessagePath = "/dev/termination-log";
        var service = KubernetesJson.Deserialize<V1Service>(KubernetesJson.Serialize(s));
        service.Metadata.ResourceVersion = "18";
        service.Spec.ClusterIP = "10.0.0.5";
        return (deployment, service);
    }
}
