namespace ModelOperator.Operator;

/// <summary>How an operator instance runs: identity, leader election timing, workers, endpoints.</summary>
public sealed record OperatorOptions
{
    /// <summary>Runtime image for ModelDeployments that name none.</summary>
    public string RuntimeImage { get; init; } = Reconcile.OperatorSettings.DefaultRuntimeImage;
    /// <summary>The node-local model cache: hostPath, default for oci:// models, size limit (the chart's <c>modelCache</c> values).</summary>
    public Reconcile.NodeCacheSettings NodeCache { get; init; } = new();
    /// <summary>This instance's name in the Lease and in Events.</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
    /// <summary>Whether to elect a leader; without it this instance acts at once.</summary>
    public bool LeaderElection { get; init; } = true;
    /// <summary>Namespace of the Lease.</summary>
    public string LeaseNamespace { get; init; } = "default";
    /// <summary>Name of the Lease.</summary>
    public string LeaseName { get; init; } = "model-operator";
    /// <summary>How long a lease holds without renewal.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>How long the leader keeps trying to renew before it gives up leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Pause between lease attempts.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Concurrent reconciles (one per key at a time).</summary>
    public int Workers { get; init; } = 8;

    /// <summary>The namespaces to watch (<c>--watch-namespaces a,b</c>); empty watches the whole cluster.</summary>
    public IReadOnlyList<string> WatchNamespaces { get; init; } = [];
    /// <summary>First retry delay of a failed reconcile.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Longest retry delay.</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Server-side timeout of each watch request; the watch then resumes.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Where /metrics, /healthz and /readyz listen; port 0 picks a free one.</summary>
    /// <summary>How often the autoscaler reads the signal and decides for each autoscaled ModelDeployment.</summary>
    public TimeSpan AutoscaleInterval { get; init; } = TimeSpan.FromSeconds(5);
    public string HttpAddress { get; init; } = "http://0.0.0.0:8081";
    /// <summary>How long in-flight reconciles may finish on shutdown.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// The activator's Service as <c>namespace/name</c> (<c>--activator-service</c>): while a scale-to-zero model has no
    /// ready pod, its Service is routed to that Service's ready pods. Null routes nothing: requests at zero get no answer
    /// but the Service's own (none), and the status says so.
    /// </summary>
    public string? ActivatorService { get; init; }
    /// <summary>
    /// The operator's pods (<c>--management-peer</c>): each ModelDeployment gets a NetworkPolicy letting only them reach
    /// its pods' management port. Null writes no NetworkPolicy.
    /// </summary>
    public Reconcile.ManagementPeer? ManagementPeer { get; init; }
    /// <summary>How often the activator routing is synced (a model's Service reaches the activator, or leaves it, within this).</summary>
    public TimeSpan ActivatorSyncInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>The port the operator reaches runtime pods on (model metadata, benchmark, /metrics); tests may move it.</summary>
    public int RuntimePort { get; init; } = Reconcile.WellKnown.RuntimePort;
}
