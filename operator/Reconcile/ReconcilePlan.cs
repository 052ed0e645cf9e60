using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>What one reconcile of a ModelDeployment must write; nulls and empty lists mean "already so".</summary>
/// <param name="Revision">The revision hash of the current spec.</param>
/// <param name="Errors">Spec problems; when any, no child is touched.</param>
/// <param name="DeploymentToApply">The revision Deployment, when the cluster's copy lacks any owned field.</param>
/// <param name="ServiceToApply">The Service, when the cluster's copy lacks any owned field.</param>
/// <param name="DeploymentsToDelete">Names of superseded revision Deployments.</param>
/// <param name="Status">The status to write, or null when the stored status is already this.</param>
/// <param name="Events">Events to record on the ModelDeployment (rollout steps, checks, rollbacks).</param>
/// <param name="RequeueAfter">When to look again without an event (the next analysis, a pause's end, a deadline).</param>
public sealed record ReconcilePlan(
    string Revision,
    IReadOnlyList<string> Errors,
    V1Deployment? DeploymentToApply,
    V1Service? ServiceToApply,
    IReadOnlyList<string> DeploymentsToDelete,
    ModelDeploymentStatus? Status,
    IReadOnlyList<Rollout.RolloutEvent>? Events = null,
    TimeSpan? RequeueAfter = null)
{
    /// <summary>The pods' NetworkPolicy, when the cluster's copy lacks any owned field (<see cref="DesiredNetworkPolicy"/>).</summary>
    public V1NetworkPolicy? NetworkPolicyToApply { get; init; }

    /// <summary>True when nothing needs writing.</summary>
    public bool IsNoOp => DeploymentToApply is null && ServiceToApply is null && NetworkPolicyToApply is null && DeploymentsToDelete.Count == 0 && Status is null && (Events is null || Events.Count == 0);
}
