using k8s;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster;

/// <summary>What every component of a running dev cluster shares.</summary>
/// <param name="Client">A KubernetesClient connected to the API double.</param>
/// <param name="Options">How the cluster was started.</param>
/// <param name="StateDirectory">Where the cluster keeps its files (kubeconfig, pod folders, logs, Prometheus targets).</param>
/// <param name="Loggers">Structured logging for the components.</param>
/// <param name="Time">The clock (heartbeats, back-off, probe periods).</param>
public sealed record ClusterContext(IKubernetes Client, DevClusterOptions Options, string StateDirectory, ILoggerFactory Loggers, TimeProvider Time)
{
    /// <summary>How pods reach the API server (the kubelet's KUBERNETES_SERVICE_* and service account volume); none when null.</summary>
    public Kubelet.InClusterApi? InClusterApi { get; init; }
}
