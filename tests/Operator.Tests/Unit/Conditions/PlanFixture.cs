using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Conditions;

/// <summary>Drives the planner as the reconciler does: plan, store what it wrote, plan again with what the cluster shows.</summary>
internal static class PlanFixture
{
    public static readonly OperatorSettings Settings = new("registry.local/model-runtime:test");
    public static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static V1Deployment Stored(V1Deployment d, int ready, V1DeploymentCondition? condition = null)
    {
        var copy = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(d));
        copy.Status = new V1DeploymentStatus { ReadyReplicas = ready, Conditions = condition is null ? null : [condition] };
        return copy;
    }

    /// <summary>A ModelDeployment serving its first revision with <paramref name="ready"/> ready pods.</summary>
    public static (ModelDeployment Md, V1Deployment Stable, V1Service Service) Serving(ModelDeployment md, int ready)
    {
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        md.Status = first.Status;
        var stable = Stored(first.DeploymentToApply!, ready);
        md.Status = ReconcilePlanner.Plan(md, [stable], first.ServiceToApply, Settings, T0).Status ?? md.Status;
        return (md, stable, first.ServiceToApply!);
    }

    public static V1Pod Pod(string name, string revision, DateTime created, bool ready = false, V1ContainerState? state = null, V1ContainerState? last = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = ChildObjects.Labels("resnet", revision), CreationTimestamp = created },
        Status = new V1PodStatus
        {
            Phase = ready ? "Running" : "Pending",
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            ContainerStatuses = [new V1ContainerStatus { Name = "runtime", Image = "img", ImageID = "", Ready = ready, RestartCount = last is null ? 0 : 4, State = state, LastState = last }],
        },
    };

    public static V1ContainerState Waiting(string reason, string message) => new() { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } };

    public static RolloutInputs Seeing(params V1Pod[] pods) => new(pods, [], null);

    public static Condition Condition(ModelDeploymentStatus? status, string type) => status!.Conditions!.Single(c => c.Type == type);

    public static (string Status, string Reason) Of(ModelDeploymentStatus? status, string type) => Condition(status, type) is var c ? (c.Status, c.Reason) : default;
}
