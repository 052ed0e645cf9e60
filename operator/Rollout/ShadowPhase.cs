using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Rollout;

/// <summary>The shadow phase's settings (issue 23): the share of stable's requests copied, how long it runs, and the least compared requests to pass.</summary>
public sealed record ShadowSettings(double Fraction, TimeSpan Duration, int MinRequests);

/// <summary>One output's compared and agreeing requests summed over the shadow phase.</summary>
public sealed record OutputTally(string Output, double Compared, double Agreeing)
{
    /// <summary>Agreeing over compared; NaN without comparisons.</summary>
    public double Agreement => Compared > 0 ? Agreeing / Compared : double.NaN;
}

/// <summary>
/// Where a shadow phase stands, summed over its intervals: when its clock started (the shadow's first ready pod),
/// the failed checks, the copies mirrored, the per-output tallies of the checked outputs, the largest interval p99
/// max |diff|, and the result of the last conclusive check. Immutable, so it can be kept in status and replayed.
/// </summary>
public sealed record ShadowProgress(DateTime? StartTime = null, int FailedChecks = 0, double Mirrored = 0, IReadOnlyList<OutputTally>? Outputs = null,
    double? LargestDiff = null, CheckResult? LastConclusive = null)
{
    /// <summary>Requests compared on every checked output: the least over outputs (0 before any).</summary>
    public double Compared => Outputs is { Count: > 0 } o ? o.Min(t => t.Compared) : 0;

    /// <summary>The lowest agreement over the checked outputs so far; NaN before any comparison.</summary>
    public double Agreement => Outputs is { Count: > 0 } o && o.All(t => t.Compared > 0) ? o.Min(t => t.Agreement) : double.NaN;

    /// <summary>"agreement 0.97 over 412 compared, largest p99 max |diff| 0.01, 430 mirrored" for Events and status.</summary>
    public string Summary() =>
        $"agreement {F(Agreement)} over {F(Compared)} compared, largest p99 max |diff| {(LargestDiff is { } d ? F(d) : "none measured")}, {F(Mirrored)} mirrored";

    private static string F(double v) => IntervalAnalysis.F(v);
}

/// <summary>What the shadow phase decided this reconcile.</summary>
public enum ShadowOutcome
{
    /// <summary>Keep mirroring: the duration, the minimum of compared requests or a passed check is still missing.</summary>
    Continue,
    /// <summary>The shadow passed: go on to the canary steps, or promote when there are none.</summary>
    Passed,
    /// <summary>Failed checks reached failureLimit: roll back.</summary>
    Failed,
}

/// <summary>The shadow phase's decision with its new progress and a message saying why.</summary>
public sealed record ShadowStep(ShadowOutcome Outcome, ShadowProgress Progress, string Message);

/// <summary>
/// The pure decisions of a shadow phase (issue 23), before canary steps or instead of them. Each interval is judged on
/// both the shadow's own latency and errors (its pods serve the mirrored copies, so it has a window like a canary) and
/// the answers the stable pods compared (<see cref="AnswerAnalysis"/>); <see cref="Judge"/> joins the two. The phase
/// passes once <see cref="ShadowSettings.Duration"/> has run since the shadow's first ready pod, at least
/// <see cref="ShadowSettings.MinRequests"/> requests were compared on every checked output and the last conclusive
/// check passed; it fails when failed checks reach failureLimit, with what was measured. <see cref="RolloutStepper"/> runs it for
/// <c>spec.rollout.shadow</c>.
/// </summary>
public static class ShadowPhase
{
    /// <summary>
    /// One interval's verdict from the shadow's latency verdict (<see cref="IntervalAnalysis"/> on its pods' window) and
    /// the answer verdict: failed when either failed (both reasons are given), inconclusive when either is (a phase never
    /// passes on latency alone, nor on answers from a shadow whose latency could not be measured), else passed.
    /// </summary>
    public static IntervalVerdict Judge(IntervalVerdict latency, IntervalVerdict answers)
    {
        var both = $"answers: {Strip(answers.Message)}; shadow latency: {Strip(latency.Message)}";
        var result = latency.Result == CheckResult.Failed || answers.Result == CheckResult.Failed ? CheckResult.Failed
            : latency.Result == CheckResult.Inconclusive || answers.Result == CheckResult.Inconclusive ? CheckResult.Inconclusive
            : CheckResult.Passed;
        var head = result switch { CheckResult.Failed => "Check failed", CheckResult.Inconclusive => "Check inconclusive", _ => "Check passed" };
        return new IntervalVerdict(result, $"{head}: {both}", latency.Canary, latency.Stable);
    }

    /// <summary>
    /// Steps the phase: starts its clock with the first ready shadow pod, adds the interval's measurement
    /// (<paramref name="measured"/>, with <paramref name="check"/> its verdict) to the tallies of <paramref name="checks"/>' outputs,
    /// counts a failed check, and decides.
    /// </summary>
    public static ShadowStep Decide(ShadowSettings settings, AnswerChecks checks, int failureLimit, ShadowProgress progress, int readyShadow,
        IntervalVerdict? check, ShadowMeasurement? measured, DateTime now)
    {
        var p = progress;
        if (readyShadow > 0 && p.StartTime is null) p = p with { StartTime = now };
        if (measured is not null) p = Add(p, checks, measured);
        if (check is not null)
        {
            if (check.Result == CheckResult.Failed) p = p with { FailedChecks = p.FailedChecks + 1 };
            if (check.Result != CheckResult.Inconclusive) p = p with { LastConclusive = check.Result };
            if (p.FailedChecks >= failureLimit)
                return new ShadowStep(ShadowOutcome.Failed, p,
                    $"{p.FailedChecks} failed checks reached failureLimit {failureLimit} in the shadow phase ({p.Summary()}); last: {check.Message}");
        }

        if (p.StartTime is not { } start)
            return new ShadowStep(ShadowOutcome.Continue, p, "Waiting for a ready shadow pod");
        var ran = now - start;
        var missing = new List<string>();
        if (ran < settings.Duration) missing.Add($"{Api.Durations.Format(settings.Duration - ran)} of duration {Api.Durations.Format(settings.Duration)} left");
        if (p.Compared < settings.MinRequests) missing.Add($"{IntervalAnalysis.F(p.Compared)} of minRequests {settings.MinRequests} compared");
        if (p.LastConclusive != CheckResult.Passed) missing.Add(p.LastConclusive is null ? "no conclusive check yet" : "the last conclusive check failed");
        return missing.Count == 0
            ? new ShadowStep(ShadowOutcome.Passed, p, $"Shadow phase passed after {Api.Durations.Format(ran)}: {p.Summary()}")
            : new ShadowStep(ShadowOutcome.Continue, p, $"Shadow phase running: {string.Join("; ", missing)} ({p.Summary()})");
    }

    private static ShadowProgress Add(ShadowProgress p, AnswerChecks checks, ShadowMeasurement m)
    {
        var byName = (p.Outputs ?? []).ToDictionary(t => t.Output, StringComparer.Ordinal);
        var names = checks.Outputs is { Count: > 0 } named ? named : m.Outputs.Select(o => o.Output).Concat(byName.Keys).Distinct().ToList();
        var largest = p.LargestDiff;
        foreach (var name in names)
        {
            var o = m.Outputs.FirstOrDefault(x => x.Output == name);
            var before = byName.GetValueOrDefault(name) ?? new OutputTally(name, 0, 0);
            byName[name] = o is null ? before : before with { Compared = before.Compared + o.Compared, Agreeing = before.Agreeing + o.Agreeing };
            if (o is { Compared: > 0 } && o.P99MaxAbsDiff is var d && double.IsFinite(d) && !(largest >= d)) largest = d;
        }
        return p with
        {
            Mirrored = p.Mirrored + m.Mirrored,
            Outputs = names.Select(n => byName[n]).OrderBy(t => t.Output, StringComparer.Ordinal).ToList(),
            LargestDiff = largest,
        };
    }

    private static string Strip(string message)
    {
        foreach (var head in new[] { "Check passed: ", "Check failed: ", "Check inconclusive: " })
            if (message.StartsWith(head, StringComparison.Ordinal)) return message[head.Length..];
        return message;
    }
}
