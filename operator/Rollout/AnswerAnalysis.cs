using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Rollout;

/// <summary>
/// Judges one interval of a shadow rollout on the answers, from the stable pods' mirroring counters (issue 23): each
/// checked output's agreement against <see cref="AnswerChecks.MinAgreement"/> and its p99 max |diff| against
/// <see cref="AnswerChecks.MaxOutputDiff"/>. A value exactly at a threshold passes. No compared request for a checked
/// output is inconclusive, as an interval without requests is for latency; the message says how many copies were
/// mirrored, failed and dropped, so a shadow that never answers is told apart from no traffic.
/// </summary>
public static class AnswerAnalysis
{
    /// <summary>The verdict of the interval; <paramref name="examples"/> (e.g. "req-7: row 0: stable top-1 3, shadow top-1 5") go into a failed check's message.</summary>
    public static IntervalVerdict Analyze(AnswerChecks checks, ShadowMeasurement m, IReadOnlyList<string>? examples = null)
    {
        var copies = $"{F(m.Mirrored)} mirrored, {F(m.Failures)} shadow failures, {F(m.Dropped)} dropped";
        var byName = m.Outputs.ToDictionary(o => o.Output, StringComparer.Ordinal);
        var names = checks.Outputs is { Count: > 0 } named ? named : m.Outputs.Select(o => o.Output).ToList();
        var unmeasured = names.Where(n => !byName.TryGetValue(n, out var o) || !(o.Compared > 0)).ToList();
        if (names.Count == 0 || unmeasured.Count > 0)
            return new IntervalVerdict(CheckResult.Inconclusive, names.Count == 0
                ? $"Check inconclusive: no request was compared with the shadow in the interval ({copies})"
                : $"Check inconclusive: no request was compared on {string.Join(", ", unmeasured.Select(n => $"'{n}'"))} in the interval ({copies})", null, null);

        var measured = new List<string>();
        var failures = new List<string>();
        foreach (var o in names.Select(n => byName[n]))
        {
            var p99 = o.P99MaxAbsDiff;
            measured.Add($"'{o.Output}' agreement {F(o.Agreement)} ({F(o.Agreeing)} of {F(o.Compared)}), p99 max |diff| {F(p99)}");
            if (checks.MinAgreement is { } min && o.Agreement < min)
                failures.Add($"agreement {F(o.Agreement)} on '{o.Output}' is below minAgreement {F(min)}");
            if (checks.MaxOutputDiff is { } max && !(p99 <= max))
                failures.Add($"p99 max |diff| {F(p99)} on '{o.Output}' exceeds maxOutputDiff {F(max)}");
        }
        var detail = $"{string.Join("; ", measured)}; {copies}";
        if (failures.Count == 0) return new IntervalVerdict(CheckResult.Passed, $"Check passed: {detail}", null, null);
        var shown = examples is { Count: > 0 } ? $"; e.g. {string.Join(", ", examples.Take(3))}" : "";
        return new IntervalVerdict(CheckResult.Failed, $"Check failed: {string.Join("; ", failures)} ({detail}){shown}", null, null);
    }

    private static string F(double v) => IntervalAnalysis.F(v);
}
