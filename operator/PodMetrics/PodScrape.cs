namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// The outcome of reading one pod's <c>/metrics</c> at one moment: the samples, or why there are none. A failure is
/// a value (not an exception) so that callers can tell "no data" from "idle".
/// </summary>
public sealed record PodScrape(string Pod, DateTimeOffset At, IReadOnlyList<MetricSample>? Samples, string? Error)
{
    /// <summary>Whether the pod answered with a parseable exposition.</summary>
    public bool Succeeded => Samples is not null;

    /// <summary>A successful scrape.</summary>
    public static PodScrape Ok(string pod, DateTimeOffset at, IReadOnlyList<MetricSample> samples) => new(pod, at, samples, null);

    /// <summary>A failed scrape and why.</summary>
    public static PodScrape Failed(string pod, DateTimeOffset at, string error) => new(pod, at, null, error);
}
