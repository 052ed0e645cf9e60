namespace ModelOperator.Operator.Api;

/// <summary>Patterns of Kubernetes object names, for fields that refer to other objects.</summary>
public static class KubernetesNames
{
    /// <summary>A DNS-1123 subdomain: what Secrets, ConfigMaps and ServiceAccounts may be called.</summary>
    public const string Dns1123Subdomain = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
}
