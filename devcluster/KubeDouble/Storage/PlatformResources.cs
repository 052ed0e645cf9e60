namespace ModelOperator.KubeDouble.Storage;

/// <summary>
/// Built-in kinds a platform install writes but nothing in the double acts on: RBAC, PodDisruptionBudgets and
/// NetworkPolicies. Stored and served so that <c>helm install</c> of the operator's chart works against the double.
/// </summary>
internal static class PlatformResources
{
    private static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp");

    public static IEnumerable<ResourceType> All()
    {
        yield return Rbac("ClusterRole", "clusterroles", namespaced: false);
        yield return Rbac("ClusterRoleBinding", "clusterrolebindings", namespaced: false);
        yield return Rbac("Role", "roles", namespaced: true);
        yield return Rbac("RoleBinding", "rolebindings", namespaced: true);
        yield return new ResourceType
        {
            Group = "policy", Version = "v1", Kind = "PodDisruptionBudget", Plural = "poddisruptionbudgets",
            Singular = "poddisruptionbudget", Namespaced = true, ShortNames = ["pdb"], HasStatus = true,
            PrinterColumns = [new("Min Available", "string", ".spec.minAvailable"), new("Max Unavailable", "string", ".spec.maxUnavailable"), Age],
        };
        yield return new ResourceType
        {
            Group = "networking.k8s.io", Version = "v1", Kind = "NetworkPolicy", Plural = "networkpolicies",
            Singular = "networkpolicy", Namespaced = true, ShortNames = ["netpol"],
            PrinterColumns = [new("Pod-Selector", "string", ".spec.podSelector"), Age],
        };
    }

    private static ResourceType Rbac(string kind, string plural, bool namespaced) => new()
    {
        Group = "rbac.authorization.k8s.io", Version = "v1", Kind = kind, Plural = plural, Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced, PrinterColumns = [new("Created At", "string", ".metadata.creationTimestamp")],
    };
}
