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
/// due, judges it with <see cref="IntervalAnalysis"/>. Snapshots are in memory: after a restart the first interval
/// only lays a baseline.
/// </summary>
internal sealed class CanaryAnalyser(PodMetricsScraper scraper, int port)
{
    private readonly ConcurrentDictionary<string, MetricsHistory> _histories = new();

    /// <summary>The verdict of the interval that just ended, or null when none is due or nothing could be measured.</summary>
    public async Task<IntervalVerdict?> AnalyseAsync(ModelDeployment md, string revision, IReadOnlyList<V1Pod> pods, IReadOnlyList<PodVerdict> verdicts,
        DateTime now, CancellationToken ct)
    {
        var key = $"{md.Metadata.NamespaceProperty}/{md.Metadata.Name}";
        if (md.Status is not { CanaryRevision: { } canary, StableRevision: { } stable } || canary != revision || md.Spec.Rollout?.Analysis is null)
        {
            _histories.TryRemove(key, out _);
            return null;
        }
        var interval = RolloutStepper.Interval(md.Spec);
        var history = _histories.GetOrAdd(key, _ => new MetricsHistory(interval * 2));
        var canaryPods = AnalysedPods.Of(pods, verdicts, canary);
        var stablePods = AnalysedPods.Of(pods, verdicts, stable);
        var all = canaryPods.Concat(stablePods).ToList();
        history.Retain(all.Select(p => p.Metadata.Name).ToList());
        var scrapes = await Task.WhenAll(all.Select(p => scraper.ScrapeAsync(p.Metadata.Name, PodMetricsScraper.MetricsUri(p.Status.PodIP, port), ct))).ConfigureAwait(false);
        foreach (var s in scrapes) history.Record(s);

        if (!RolloutStepper.CheckDue(md.Spec, md.Status, now)) return null;
        var at = new DateTimeOffset(now, TimeSpan.Zero);
        var canaryMeasured = history.Measure(canaryPods.Select(p => p.Metadata.Name), at, interval);
        var stableWindow = RevisionWindows.From(history.Measure(stablePods.Select(p => p.Metadata.Name), at, interval));
        return IntervalAnalysis.Analyze(md.Spec.Rollout.Analysis, RevisionWindows.From(canaryMeasured), stableWindow, RevisionWindows.NoWindowReason(canaryMeasured));
    }
}
