using Prometheus;

namespace ModelOperator.Activator;

/// <summary>The activator's Prometheus metrics, labelled by the model's namespace and name.</summary>
internal sealed class ActivatorMetrics
{
    private static readonly string[] Model = ["namespace", "model"];

    public ActivatorMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        Held = factory.CreateGauge("modelactivator_held_requests", "Requests held now while the model has no ready pod", Model);
        HoldSeconds = factory.CreateHistogram("modelactivator_hold_seconds", "How long a request was held, by how it ended (forwarded, timeout, cancelled)",
            new HistogramConfiguration { LabelNames = [.. Model, "outcome"], Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300] });
        ColdStarts = factory.CreateCounter("modelactivator_cold_starts_total", "Cold starts the activator asked for (the first held request at zero)", Model);
        Timeouts = factory.CreateCounter("modelactivator_timeouts_total", "Held requests answered 503 because no pod was admitted within coldStartTimeout", Model);
        Rejected = factory.CreateCounter("modelactivator_rejected_total", "Requests answered 503 at once because maxHeldRequests were already held", Model);
        Forwarded = factory.CreateCounter("modelactivator_forwarded_total", "Requests forwarded to a ready pod (held ones, and ones that arrived after a pod was ready)", Model);
    }

    public Gauge Held { get; }
    public Histogram HoldSeconds { get; }
    public Counter ColdStarts { get; }
    public Counter Timeouts { get; }
    public Counter Rejected { get; }
    public Counter Forwarded { get; }
}
