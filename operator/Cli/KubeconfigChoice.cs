namespace ModelOperator.Operator.Cli;

/// <summary>Where the operator's connection to the API server comes from.</summary>
internal enum KubeconfigSource
{
    /// <summary><c>--kubeconfig PATH</c>.</summary>
    Flag,
    /// <summary>The pod's service account (in a cluster).</summary>
    InCluster,
    /// <summary>The files the <c>KUBECONFIG</c> environment variable lists.</summary>
    EnvironmentVariable,
    /// <summary><c>~/.kube/config</c>.</summary>
    DefaultFile,
    /// <summary>Nothing to connect with.</summary>
    None,
}

/// <summary>Picks the kubeconfig the way the operator always has: the flag, then the pod's service account, then KUBECONFIG, then ~/.kube/config.</summary>
internal static class KubeconfigChoice
{
    public static KubeconfigSource Choose(string? flag, bool inCluster, string? kubeconfigVariable, bool defaultFileExists) =>
        flag is not null ? KubeconfigSource.Flag
        : inCluster ? KubeconfigSource.InCluster
        : !string.IsNullOrWhiteSpace(kubeconfigVariable) ? KubeconfigSource.EnvironmentVariable
        : defaultFileExists ? KubeconfigSource.DefaultFile
        : KubeconfigSource.None;
}
