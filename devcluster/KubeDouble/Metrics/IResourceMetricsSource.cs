namespace ModelOperator.KubeDouble.Metrics;

/// <summary>
/// What metrics-server would scrape from the kubelets: each running pod's containers' CPU and memory use. The double
/// serves it as the <c>metrics.k8s.io/v1beta1</c> API (<c>kubectl top</c>) while one is registered through
/// <see cref="KubeApiServer.ResourceMetrics"/>; without one the group is not advertised, as on a cluster without
/// metrics-server.
/// </summary>
public interface IResourceMetricsSource
{
    /// <summary>Every pod with a running container now.</summary>
    IReadOnlyList<PodUsage> Pods();
}

/// <summary>One pod's use, sampled at <paramref name="Timestamp"/>: CPU as a rate over <paramref name="Window"/>.</summary>
public sealed record PodUsage(string Namespace, string Name, string Node, DateTime Timestamp, TimeSpan Window, IReadOnlyList<ContainerUsage> Containers);

/// <summary>One container's CPU (nanocores, a rate) and memory (working set bytes).</summary>
public sealed record ContainerUsage(string Name, long CpuNanoCores, long MemoryBytes);
