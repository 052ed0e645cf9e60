namespace ModelOperator.DevCluster;

/// <summary>
/// One part of the node simulator (node heartbeats, the scheduler, a controller, a kubelet, the service proxy).
/// Each talks to the API double only through the Kubernetes API, as its real counterpart does, so a stock kubectl
/// sees everything it does.
/// </summary>
public interface IClusterComponent
{
    /// <summary>A short name for logs, e.g. "scheduler".</summary>
    string Name { get; }

    /// <summary>Runs until <paramref name="ct"/> is cancelled, then releases everything it started (processes, listeners).</summary>
    Task RunAsync(ClusterContext context, CancellationToken ct);
}
