using k8s.Models;

namespace ModelOperator.DevCluster.Scheduling;

/// <summary>
/// What a pod asks of a node, as kube-scheduler's NodeResourcesFit counts it: per container its requests, or its
/// limits where a request is absent (as the API server defaults them, and as extended resources require); the sum
/// over containers, or the largest init container if that is more.
/// </summary>
public static class PodRequests
{
    public static Dictionary<string, decimal> Of(V1Pod pod)
    {
        var total = new Dictionary<string, decimal>();
        foreach (var container in pod.Spec?.Containers ?? [])
            foreach (var (name, amount) in OfContainer(container))
                total[name] = total.GetValueOrDefault(name) + amount;
        foreach (var init in pod.Spec?.InitContainers ?? [])
            foreach (var (name, amount) in OfContainer(init))
                total[name] = Math.Max(total.GetValueOrDefault(name), amount);
        return total;
    }

    private static Dictionary<string, decimal> OfContainer(V1Container container)
    {
        var result = new Dictionary<string, decimal>();
        foreach (var (name, q) in container.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>()) result[name] = q.ToDecimal();
        foreach (var (name, q) in container.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>()) result[name] = q.ToDecimal();
        return result;
    }

    /// <summary>Whether a bound pod still holds its node's resources (it has not finished).</summary>
    public static bool HoldsResources(V1Pod pod) => pod.Status?.Phase is not ("Succeeded" or "Failed");
}
