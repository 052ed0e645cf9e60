using System.Collections.Concurrent;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Admission;

/// <summary>
/// Measures a live canary against its stable revision: scrapes both revisions' admitted pods (<see cref="AnalysedPods"/>)
/// on every reconcile of a rollout (the snapshots the windows are cut from), a canary pod from the reconcile that
/// admits it, so its baseline is laid before its first request and its first interval counts; when an interval is
/// due, judges it with <see cref="IntervalAnalysis"/>. During a shadow phase (issue 23) the canary is the shadow: its
/// latency window (it serves the mirrored copies) is joined with the answers the stable pods compared
/// (<see cref="AnswerAnalysis"/>, with a few disagreements read from a stable pod when the answers fail) by
/// <see cref="ShadowPhase.Judge"/>. Snapshots are in memory: after a restart the first interval only lays a baseline.
/// </summary>
internal sealed class CanaryAnalyser(PodMetricsScraper scraper, int port, ShadowTargetClient? shadowTargets = null)
{
    private readonly ConcurrentDictionary<string, MetricsHistory> _histories = new();

    /// <summary>
    /// The verdict of the interval that just ended, or null when none is due or nothing could be measured; during a
    /// shadow phase also what the stable pods' mirroring counted over it.
    /// </summary>
    public async Task<(IntervalVerdict? Check, ShadowMeasurement? Shadow)> AnalyseAsync(ModelDeployment md, string revision, IReadOnlyList<V1Pod> pods, IReadOnlyList<PodVerdict> verdicts,
        DateTime now, CancellationToken ct)
    {
        var key = $"{md.Metadata.NamespaceProperty}/{md.Metadata.Name}";
        if (md.Status is not { CanaryRevision: { } canary, StableRevision: { } stable } || canary != revision || md.Spec.Rollout?.Analysis is null)
        {
            _histories.TryRemove(key, out _);
            return (null, null);
        }
        var interval = RolloutStepper.Interval(md.Spec);
        var history = _histories.GetOrAdd(key, _ => new MetricsHistory(interval * 2));
        var canaryPods = AnalysedPods.Of(pods, verdicts, canary);
        var stablePods = AnalysedPods.Of(pods, verdicts, stable);
        var all = canaryPods.Concat(stablePods).ToList();
        history.Retain(all.Select(p => p.Metadata.Name).ToList());
        var scrapes = await Task.WhenAll(all.Select(p => scraper.ScrapeAsync(p.Metadata.Name, PodMetricsScraper.MetricsUri(p.Status.PodIP, port), ct))).ConfigureAwait(false);
        foreach (var s in scrapes) history.Record(s);

        if (!RolloutStepper.CheckDue(md.Spec, md.Status, now)) return (null, null);
        var at = new DateTimeOffset(now, TimeSpan.Zero);
        var canaryMeasured = history.Measure(canaryPods.Select(p => p.Metadata.Name), at, interval);
        var stableWindow = RevisionWindows.From(history.Measure(stablePods.Select(p => p.Metadata.Name), at, interval));
        var latency = IntervalAnalysis.Analyze(md.Spec.Rollout.Analysis, RevisionWindows.From(canaryMeasured), stableWindow, RevisionWindows.NoWindowReason(canaryMeasured));
        if (!RolloutStepper.ShadowRunning(md.Status, revision)) return (latency, null);

        var mirrored = history.MeasureShadow(stablePods.Select(p => p.Metadata.Name), at, interval);
        var checks = RolloutStepper.AnswerChecksOf(md.Spec.Rollout.Analysis);
        var answers = AnswerAnalysis.Analyze(checks, mirrored);
        if (answers.Result == CheckResult.Failed)
            answers = AnswerAnalysis.Analyze(checks, mirrored, await DisagreementsAsync(stablePods, ct).ConfigureAwait(false));
        return (ShadowPhase.Judge(latency, answers), mirrored);
    }

    // A few of the latest disagreements the stable pods kept (request id, output, both top-1), for the Event and status.
    private async Task<IReadOnlyList<string>> DisagreementsAsync(IReadOnlyList<V1Pod> stablePods, CancellationToken ct)
    {
        if (shadowTargets is null) return [];
        var examples = new List<string>();
        foreach (var pod in stablePods)
        {
            var state = await shadowTargets.GetAsync(pod.Status.PodIP, ct).ConfigureAwait(false);
            examples.AddRange(state.Examples);
            if (examples.Count >= 3) break;
        }
        return examples;
    }
}
