namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// What a set of pods did over a window: their latency buckets merged (seconds, cumulative, every model and
/// outcome), the requests they counted and how many of those were errors. <see cref="PodsMeasured"/> counts pods with
/// a full delta; <see cref="PodsWithoutData"/> names the others and why (scrape failed, not enough history).
/// </summary>
public sealed record WindowMeasurement(
    IReadOnlyList<HistogramBucket> LatencyBuckets,
    double Requests,
    double Errors,
    int PodsMeasured,
    IReadOnlyDictionary<string, string> PodsWithoutData)
{
    /// <summary>The latency quantile in milliseconds (NaN when no request was observed).</summary>
    public double LatencyQuantileMs(double q) => HistogramQuantile.Compute(q, LatencyBuckets) * 1000;

    /// <summary>Errors per request (NaN when there were no requests).</summary>
    public double ErrorRate => Requests > 0 ? Errors / Requests : double.NaN;

    /// <summary>The pods (among <see cref="PodsWithoutData"/>) whose latest scrape failed, as opposed to pods too new for a window.</summary>
    public IReadOnlyCollection<string> PodsFailing { get; init; } = [];

    /// <summary>
    /// Pods answered, none failed its scrape and none counted a request: idle, which is not the same as no data.
    /// A pod too new for a window does not prevent idleness: it has not served a window's traffic either.
    /// </summary>
    public bool Idle => PodsMeasured > 0 && PodsFailing.Count == 0 && Requests == 0;
}
