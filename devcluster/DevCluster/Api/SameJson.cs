using k8s;

namespace ModelOperator.DevCluster.Api;

/// <summary>Compares API objects by their JSON, so a component writes only what changed (null equals null).</summary>
internal static class SameJson
{
    public static bool Equal(object? a, object? b) =>
        a is null || b is null ? a is null && b is null : KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);
}
