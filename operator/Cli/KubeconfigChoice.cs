namespace ModelOperator.Operator.Cli;

/// <summary>Where the operator's connection to the API server comes from.</summary>
internal enum KubeconfigSource
{
    /// <summary><c>--kubeconfig PATH</c>.</summary>
    Flag,
    /// <summary>A service account folder the dev cluster's kubelet projected (<see cref="ClusterConnection.ProjectedServiceAccountVariable"/>).</summary>
    ProjectedServiceAccount,
    /// <summary>The pod's service account (in a cluster).</summary>
    InCluster,
    /// <summary>The files the <c>KUBECONFIG</c> environment variable lists.</summary>
    EnvironmentVariable,
    /// <summary><c>~/.kube/config</c>.</summary>
    DefaultFile,
    /// <summary>Nothing to connect with.</summary>
    None,
}

/// <summary>
/// Which connection <see cref="ClusterConnection.Configure"/> will build, in its order: the flag, a projected service
/// account, the pod's service account, then KUBECONFIG, then ~/.kube/config; <see cref="KubeconfigSource.None"/> where
/// it would fall back to http://localhost:8080, which is never what a user meant.
/// </summary>
internal static class KubeconfigChoice
{
    public static KubeconfigSource Choose(string? flag, bool projectedServiceAccount, bool inCluster, string? kubeconfigVariable, bool defaultFileExists) =>
        flag is not null ? KubeconfigSource.Flag
        : projectedServiceAccount ? KubeconfigSource.ProjectedServiceAccount
        : inCluster ? KubeconfigSource.InCluster
        : !string.IsNullOrWhiteSpace(kubeconfigVariable) ? KubeconfigSource.EnvironmentVariable
        : defaultFileExists ? KubeconfigSource.DefaultFile
        : KubeconfigSource.None;
}
