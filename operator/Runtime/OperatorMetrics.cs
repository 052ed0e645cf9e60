using Prometheus;

namespace ModelOperator.Operator.Runtime;

/// <summary>The operator's own Prometheus metrics, in a registry per operator instance.</summary>
public sealed class OperatorMetrics
{
    /// <summary>Creates the metrics in a fresh registry.</summary>
    public OperatorMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        Reconciles = f.CreateCounter("modeloperator_reconciles_total", "Reconciles run, by controller and result.", "controller", "result");
        Errors = f.CreateCounter("modeloperator_reconcile_errors_total", "Reconciles that failed and were retried with backoff.", "controller");
        Duration = f.CreateHistogram("modeloperator_reconcile_duration_seconds", "Time spent in one reconcile.",
            new HistogramConfiguration { LabelNames = ["controller"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
        QueueDepth = f.CreateGauge("modeloperator_workqueue_depth", "Keys waiting in the work queue.", "controller");
        Leader = f.CreateGauge("modeloperator_leader", "1 while this instance holds the leader lease.");
        Writes = f.CreateCounter("modeloperator_api_writes_total", "Writes sent to the Kubernetes API, by resource and verb.", "resource", "verb");
        WatchRestarts = f.CreateCounter("modeloperator_watch_restarts_total", "Watches restarted, by resource and cause.", "resource", "cause");
        // Rollouts, rollbacks and scale changes are all recorded as Events; counting them by reason lets dashboards and
        // alerts see them without kube-state-metrics.
        Events = f.CreateCounter("modeloperator_events_total", "Events recorded on ModelDeployments, by type and reason (CanaryStarted, Promoted, RolledBack, ...).", "type", "reason");
    }

    /// <summary>The registry exported at /metrics.</summary>
    public CollectorRegistry Registry { get; }
#pragma warning disable CS1591 // each metric's help text is its documentation
    public Counter Reconciles { get; }
    public Counter Errors { get; }
    public Histogram Duration { get; }
    public Gauge QueueDepth { get; }
    public Gauge Leader { get; }
    public Counter Events { get; }
    public Counter Writes { get; }
    public Counter WatchRestarts { get; }
#pragma warning restore CS1591
}
