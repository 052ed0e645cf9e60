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
public sealed record ReconcilePlan(
    string Revision,
    IReadOnlyList<string> Errors,
    V1Deployment? DeploymentToApply,
    V1Service? ServiceToApply,
    IReadOnlyList<string> DeploymentsToDelete,
    ModelDeploymentStatus? Status)
{
    /// <summary>True when nothing needs writing.</summary>
    public bool IsNoOp => DeploymentToApply is null && ServiceToApply is null && DeploymentsToDelete.Count == 0 && Status is null;
}
