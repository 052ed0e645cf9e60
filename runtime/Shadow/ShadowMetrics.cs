using Prometheus;

namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// What a stable pod's mirroring did, on the runtime's registry, for the operator's analysis to read like the latency
/// histograms: copies sent, dropped and failed, and per output the compared and agreeing requests and the max |diff|.
/// </summary>
internal sealed class ShadowMetrics
{
    // From one millionth to about a thousand: float rounding up to a regression output's own scale.
    private static readonly double[] DiffBuckets = [0, .. Histogram.ExponentialBuckets(1e-6, 10, 10)];

    public ShadowMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Mirrored = factory.CreateCounter("modelruntime_shadow_mirrored_total", "Answered requests whose copy was sent to the shadow revision.", "model");
        Dropped = factory.CreateCounter("modelruntime_shadow_dropped_total",
            "Sampled copies dropped because the mirror queue was full (mirroring never blocks or delays an answer).", "model");
        Failures = factory.CreateCounter("modelruntime_shadow_failures_total",
            "Copies the shadow did not answer usably, by reason (timeout, unreachable, status, unreadable).", "model", "reason");
        Compared = factory.CreateCounter("modelruntime_shadow_compared_total", "Requests whose shadow answer was compared with the stable answer, by output.", "model", "output");
        Agreeing = factory.CreateCounter("modelruntime_shadow_agreeing_total",
            "Compared requests whose output agreed (same top-1 along the last axis for class scores, same shape and datatype), by output.", "model", "output");
        MaxAbsDiff = factory.CreateHistogram("modelruntime_shadow_max_abs_diff", "Per compared request, the largest |stable - shadow| of an output's elements.",
            new HistogramConfiguration { LabelNames = ["model", "output"], Buckets = DiffBuckets });
    }

    public Counter Mirrored { get; }
    public Counter Dropped { get; }
    public Counter Failures { get; }
    public Counter Compared { get; }
    public Counter Agreeing { get; }
    public Histogram MaxAbsDiff { get; }
}
