using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster;

/// <summary>How a dev cluster starts.</summary>
public sealed record DevClusterOptions
{
    /// <summary>The simulated nodes.</summary>
    public List<NodeConfig> Nodes { get; init; } = NodeConfig.Defaults();
    /// <summary>Pod IPs come from this loopback range (never 127.0.0.1).</summary>
    public string PodCidr { get; init; } = "127.10.0.0/16";
    /// <summary>Service cluster IPs come from this loopback range.</summary>
    public string ServiceCidr { get; init; } = "127.20.0.0/16";
    /// <summary>
    /// Container images the kubelet can run, mapped to a local command line (program and leading arguments); the
    /// container's own args follow. The operator's configured runtime image maps to the built model-runtime.
    /// </summary>
    public Dictionary<string, string[]> Images { get; init; } = DefaultImages.Create();
    /// <summary>How the kubelet runs pods (crash-loop back-off, claim folders, shutdown grace).</summary>
    public KubeletOptions Kubelet { get; init; } = new();
    /// <summary>Where the cluster keeps its files; a fresh temporary folder when null.</summary>
    public string? StateDirectory { get; init; }
    /// <summary>The API double's loopback port; 0 picks a free one.</summary>
    public int ApiPort { get; init; }
    /// <summary>
    /// When true, <c>kubeconfig</c> appears in the state directory only on <see cref="DevClusterHost.PublishKubeconfig"/>
    /// (the foreground command calls it once all is ready); until then the cluster's own parts use <c>kubeconfig.internal</c>.
    /// </summary>
    public bool PublishKubeconfigWhenReady { get; init; }
    /// <summary>How often nodes renew their heartbeat (Lease and Ready condition).</summary>
    public TimeSpan NodeHeartbeat { get; init; } = TimeSpan.FromSeconds(10);
}
