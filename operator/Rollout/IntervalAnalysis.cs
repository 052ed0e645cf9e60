using System.Globalization;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>One revision's traffic over one analysis interval, merged across its pods.</summary>
/// <param name="Requests">Requests finished in the interval (all outcomes); NaN when <see cref="ScrapeFailure"/> is set.</param>
/// <param name="Errors">Requests that failed in the interval.</param>
/// <param name="P95Ms">The interval's p95 latency from the merged histogram deltas; NaN when it cannot be computed.</param>
public sealed record RevisionWindow(double Requests, double Errors, double P95Ms)
{
    /// <summary>Errors over requests; NaN without requests.</summary>
    public double ErrorRate => Requests > 0 ? Errors / Requests : double.NaN;

    /// <summary>
    /// Set when no pod of the revision could be measured because their scrapes failed (e.g. "pod-a: connection
    /// refused"): no data, which DESIGN §3 counts as a failed check, unlike an interval without requests.
    /// </summary>
    public string? ScrapeFailure { get; init; }

    /// <summary>A window with no data because every pod's scrape failed; <paramref name="reason"/> names the pods and errors.</summary>
    public static RevisionWindow ScrapesFailed(string reason) => new(double.NaN, double.NaN, double.NaN) { ScrapeFailure = reason };
}

/// <summary>The three outcomes of one check.</summary>
public enum CheckResult
{
    /// <summary>Every threshold held.</summary>
    Passed,
    /// <summary>A threshold was broken, the canary's scrapes all failed (no data), or nothing could be measured from requests that happened.</summary>
    Failed,
    /// <summary>Nothing to judge (no requests to the canary, or no stable latency for a ratio): counts neither way.</summary>
    Inconclusive,
}

/// <summary>The verdict of one interval with the values it was based on.</summary>
public sealed record IntervalVerdict(CheckResult Result, string Message, RevisionWindow? Canary, RevisionWindow? Stable);

/// <summary>
/// Analyses one interval: canary p95 against <c>maxP95Ms</c> or, relative to stable, <c>maxP95Ratio</c>, and its error
/// rate against <c>maxErrorRate</c>. A value exactly at a threshold passes.
/// </summary>
public static class IntervalAnalysis
{
    /// <summary>
    /// Judges the canary's window; a window is null when its pods are too new to have a full interval yet (inconclusive
    /// for the canary), and carries <see cref="RevisionWindow.ScrapeFailure"/> when every scrape failed (a failed check
    /// for the canary; for stable, no latency to compare with). <paramref name="noCanaryWindow"/> says why the canary
    /// has no window, for the message (see <see cref="RevisionWindows.NoWindowReason"/>).
    /// </summary>
    public static IntervalVerdict Analyze(AnalysisSpec? spec, RevisionWindow? canary, RevisionWindow? stable, string? noCanaryWindow = null)
    {
        if (canary?.ScrapeFailure is { } failure)
            return new IntervalVerdict(CheckResult.Failed, $"Check failed: no data from the canary, every scrape failed ({failure})", canary, stable);
        if (canary is null)
            return new IntervalVerdict(CheckResult.Inconclusive, $"Check inconclusive: {noCanaryWindow ?? "no canary pod has a full interval yet"}", canary, stable);
        if (!(canary.Requests > 0))
            return new IntervalVerdict(CheckResult.Inconclusive, "Check inconclusive: no requests reached the canary in the interval", canary, stable);
        if (double.IsNaN(canary.P95Ms))
            return new IntervalVerdict(CheckResult.Failed, $"The canary served {F(canary.Requests)} requests but no latency could be measured", canary, stable);

        var measured = $"canary p95 {F(canary.P95Ms)}ms, error rate {F(canary.ErrorRate)} over {F(canary.Requests)} requests"
            + (stable is { Requests: > 0 } && !double.IsNaN(stable.P95Ms) ? $"; stable p95 {F(stable.P95Ms)}ms" : "");
        var failures = new List<string>();
        if (spec?.MaxP95Ms is { } maxP95 && canary.P95Ms > maxP95)
            failures.Add($"p95 {F(canary.P95Ms)}ms exceeds maxP95Ms {F(maxP95)}");
        if (spec?.MaxP95Ratio is { } maxRatio)
        {
            if (stable is null || !(stable.Requests > 0) || double.IsNaN(stable.P95Ms) || stable.P95Ms <= 0)
                return new IntervalVerdict(CheckResult.Inconclusive, $"Check inconclusive: the stable revision has no latency to compare with ({measured})", canary, stable);
            var ratio = canary.P95Ms / stable.P95Ms;
            if (ratio > maxRatio) failures.Add($"p95 ratio {F(ratio)} (canary {F(canary.P95Ms)}ms / stable {F(stable.P95Ms)}ms) exceeds maxP95Ratio {F(maxRatio)}");
        }
        if (spec?.MaxErrorRate is { } maxErrors && canary.ErrorRate > maxErrors)
            failures.Add($"error rate {F(canary.ErrorRate)} exceeds maxErrorRate {F(maxErrors)}");
        return failures.Count == 0
            ? new IntervalVerdict(CheckResult.Passed, $"Check passed: {measured}", canary, stable)
            : new IntervalVerdict(CheckResult.Failed, $"Check failed: {string.Join("; ", failures)} ({measured})", canary, stable);
    }

    internal static string F(double v) => double.IsNaN(v) ? "NaN" : v.ToString("0.###", CultureInfo.InvariantCulture);
}
