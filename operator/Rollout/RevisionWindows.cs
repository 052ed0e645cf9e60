using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Rollout;

/// <summary>Turns the shared scraper's measurement of one revision's pods into the analysis' <see cref="RevisionWindow"/>.</summary>
public static class RevisionWindows
{
    /// <summary>
    /// A window of the revision's measured pods. When none could be measured: a <see cref="RevisionWindow.ScrapesFailed"/>
    /// window if some pod's latest scrape failed (no data), else null (pods too new for a full interval, or none).
    /// </summary>
    public static RevisionWindow? From(WindowMeasurement m)
    {
        if (m.PodsMeasured > 0) return new RevisionWindow(m.Requests, m.Errors, m.Requests > 0 ? m.LatencyQuantileMs(0.95) : double.NaN);
        if (m.PodsFailing.Count == 0) return null;
        return RevisionWindow.ScrapesFailed(string.Join("; ", m.PodsFailing.Order(StringComparer.Ordinal).Select(p => $"{p}: {m.PodsWithoutData.GetValueOrDefault(p, "scrape failed")}")));
    }

    /// <summary>
    /// Why <see cref="From"/> found no window for the canary, for an inconclusive verdict a user can act on: no
    /// admitted pod to measure, or each pod and why it has no full interval yet (e.g. "one scrape so far").
    /// </summary>
    public static string NoWindowReason(WindowMeasurement m) => m.PodsWithoutData.Count == 0
        ? "no admitted canary pod to measure"
        : "no canary pod has a full interval yet (" + string.Join("; ", m.PodsWithoutData.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")) + ")";
}
