using k8s.Models;

namespace ModelOperator.DevCluster.Controllers;

/// <summary>How controllers read a pod: active, ready, available, as the ReplicaSet and Deployment controllers do.</summary>
public static class PodState
{
    /// <summary>Counted by its ReplicaSet: not terminating and not finished.</summary>
    public static bool IsActive(V1Pod pod) => pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");

    /// <summary>The pod's Ready condition is True (readiness gates included, as the kubelet computes it).</summary>
    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Ready for at least <paramref name="minReadySeconds"/>; a terminating pod is never available.</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTime now)
    {
        if (!IsActive(pod) || !IsReady(pod)) return false;
        if (minReadySeconds <= 0) return true;
        var since = pod.Status!.Conditions!.First(c => c.Type == "Ready").LastTransitionTime;
        return since is null || since.Value.ToUniversalTime().AddSeconds(minReadySeconds) <= now;
    }

    /// <summary>The uid of the object that controls this one (its controller owner reference), if any.</summary>
    public static string? ControllerUid(V1ObjectMeta meta) => meta.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Uid;
}
