using k8s.Models;

namespace ModelOperator.DevCluster.Controllers;

/// <summary>
/// A Deployment's status from its ReplicaSets, as <c>kubectl rollout status</c> reads it: the counters, and the
/// Available and Progressing conditions with the Deployment controller's reasons.
/// </summary>
public static class DeploymentStatusCalculator
{
    public static V1DeploymentStatus Compute(V1Deployment deployment, V1ReplicaSet? newSet, IReadOnlyList<V1ReplicaSet> all, bool newSetCreated, DateTime now)
    {
        var replicas = deployment.Spec.Replicas ?? 1;
        var (_, unavailable) = deployment.Spec.Strategy?.Type == "Recreate" ? (0, 0) : RollingUpdate.Limits(deployment.Spec.Strategy, replicas);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = deployment.Metadata.Generation,
            Replicas = all.Sum(r => r.Status?.Replicas ?? 0),
            UpdatedReplicas = newSet?.Status?.Replicas ?? 0,
            ReadyReplicas = all.Sum(r => r.Status?.ReadyReplicas ?? 0),
            AvailableReplicas = all.Sum(r => r.Status?.AvailableReplicas ?? 0),
            CollisionCount = deployment.Status?.CollisionCount,
        };
        status.UnavailableReplicas = Math.Max(0, replicas - (status.AvailableReplicas ?? 0));
        var old = deployment.Status?.Conditions ?? [];
        var available = (status.AvailableReplicas ?? 0) >= replicas - unavailable;
        var conditions = new List<V1DeploymentCondition>
        {
            Condition(old, "Available", available ? "True" : "False",
                available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", now),
        };
        var name = newSet?.Metadata.Name ?? "";
        var complete = newSet is not null && status.UpdatedReplicas == replicas && status.Replicas == replicas
            && status.AvailableReplicas == replicas && all.Where(r => r != newSet).All(r => (r.Status?.Replicas ?? 0) == 0);
        var (reason, message) = complete ? ("NewReplicaSetAvailable", $"ReplicaSet \"{name}\" has successfully progressed.")
            : newSetCreated ? ("NewReplicaSetCreated", $"Created new replica set \"{name}\"")
            : ("ReplicaSetUpdated", $"ReplicaSet \"{name}\" is progressing.");
        conditions.Add(Condition(old, "Progressing", "True", reason, message, now));
        status.Conditions = conditions;
        return status;
    }

    private static V1DeploymentCondition Condition(IEnumerable<V1DeploymentCondition> old, string type, string status, string reason, string message, DateTime now)
    {
        var previous = old.FirstOrDefault(c => c.Type == type);
        var same = previous is not null && previous.Status == status;
        var unchanged = same && previous!.Reason == reason && previous.Message == message;
        return new V1DeploymentCondition
        {
            Type = type, Status = status, Reason = reason, Message = message,
            LastTransitionTime = same ? previous!.LastTransitionTime : now,
            LastUpdateTime = unchanged ? previous!.LastUpdateTime : now,
        };
    }
}
