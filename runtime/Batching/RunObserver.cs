using ModelOperator.Runtime.Metrics;

namespace ModelOperator.Runtime.Batching;

/// <summary>Where runners report each model run: how long requests queued and how many rows ran together.</summary>
internal sealed class RunObserver(RuntimeMetrics? metrics, string model)
{
    private readonly Prometheus.Histogram.Child? _queue = metrics?.QueueDuration.WithLabels(model);
    private readonly Prometheus.Histogram.Child? _batch = metrics?.BatchSize.WithLabels(model);

    public static readonly RunObserver None = new(null, "");

    public void Queued(TimeSpan waited) => _queue?.Observe(waited.TotalSeconds);

    public void Ran(long rows) => _batch?.Observe(rows);
}
