using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Rollout;

/// <summary>Turns the shared scraper's measurement of one revision's pods into the analysis' <see cref="RevisionWindow"/>.</summary>
public static class RevisionWindows
{
    /// <summary>Null when no pod of the revision could be measured (every scrape failed or too few scrapes): no data.</summary>
    public static RevisionWindow? From(WindowMeasurement m) =>
        m.PodsMeasured == 0 ? null : new RevisionWindow(m.Requests, m.Errors, m.Requests > 0 ? m.LatencyQuantileMs(0.95) : double.NaN);
}
