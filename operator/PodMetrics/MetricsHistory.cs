using System.Globalization;

namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// Scrapes of runtime pods kept over time, so that what the pods did over a window is the difference of two
/// snapshots per pod, as PromQL's <c>increase()</c> takes it per series: a counter that went down (the pod restarted)
/// counts its new value as the increase, never a negative one, and a series first seen since the baseline (a label
/// value used for the first time) counts whole. Keeps only the runtime's request counter, latency buckets and
/// shadow-comparison series, and only as far back as <paramref name="retention"/> needs. Safe to use from several threads.
/// </summary>
public sealed class MetricsHistory(TimeSpan retention)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PodRecord> _pods = new(StringComparer.Ordinal);

    /// <summary>The longest window a measurement can cover.</summary>
    public TimeSpan Retention { get; } = retention;

    /// <summary>Adds a scrape: its samples become the pod's newest snapshot, or its failure the pod's current state.</summary>
    public void Record(PodScrape scrape)
    {
        lock (_gate)
        {
            if (!_pods.TryGetValue(scrape.Pod, out var pod)) _pods[scrape.Pod] = pod = new PodRecord();
            if (!scrape.Succeeded)
            {
                pod.LastError = scrape.Error;
                return;
            }
            pod.LastError = null;
            pod.Snapshots.Add(new Snapshot(scrape.At, Relevant(scrape.Samples!)));
            // Keep the newest snapshot at or before the retention horizon as the baseline for the longest window.
            var horizon = scrape.At - Retention;
            var baseline = pod.Snapshots.FindLastIndex(s => s.At <= horizon);
            if (baseline > 0) pod.Snapshots.RemoveRange(0, baseline);
        }
    }

    /// <summary>Drops every pod not in <paramref name="pods"/> (deleted or no longer selected).</summary>
    public void Retain(IReadOnlyCollection<string> pods)
    {
        lock (_gate)
        {
            foreach (var gone in _pods.Keys.Where(p => !pods.Contains(p)).ToList()) _pods.Remove(gone);
        }
    }

    /// <summary>
    /// What <paramref name="pods"/> did over the <paramref name="window"/> ending at <paramref name="now"/>. A pod
    /// with two snapshots but less than a window of history is measured over what there is; a pod whose latest scrape
    /// failed, with fewer than two snapshots, or whose newest snapshot is older than the window, is left out and named
    /// in <see cref="WindowMeasurement.PodsWithoutData"/>.
    /// </summary>
    public WindowMeasurement Measure(IEnumerable<string> pods, DateTimeOffset now, TimeSpan window)
    {
        var buckets = new Dictionary<double, double>();
        double requests = 0, errors = 0;
        var measured = 0;
        var without = new Dictionary<string, string>(StringComparer.Ordinal);
        var failing = new List<string>();
        lock (_gate)
        {
            foreach (var name in pods.Distinct())
            {
                if (!_pods.TryGetValue(name, out var pod) || pod.Snapshots.Count == 0)
                {
                    without[name] = pod?.LastError ?? "not scraped yet";
                    if (pod?.LastError is not null) failing.Add(name);
                    continue;
                }
                if (pod.LastError is not null) { without[name] = pod.LastError; failing.Add(name); continue; }
                var latest = pod.Snapshots[^1];
                if (latest.At < now - window) { without[name] = $"last scraped at {latest.At:O}, before the window"; continue; }
                if (pod.Snapshots.Count < 2) { without[name] = "one scrape so far; a window needs two"; continue; }
                var baselineIndex = pod.Snapshots.FindLastIndex(s => s.At <= latest.At - window);
                var baseline = pod.Snapshots[Math.Max(baselineIndex, 0)];
                measured++;
                foreach (var (key, sample) in latest.Series)
                {
                    var increase = Increase(sample.Value, baseline.Series.TryGetValue(key, out var before) ? before.Value : null);
                    if (sample.Name == RuntimeMetricNames.Requests)
                    {
                        requests += increase;
                        if (RuntimeMetricNames.IsError(sample.Label("outcome"))) errors += increase;
                    }
                    else if (sample.Name == RuntimeMetricNames.RequestDurationBucket && sample.Label("le") is { } le && ParseBound(le) is { } bound)
                    {
                        buckets[bound] = buckets.GetValueOrDefault(bound) + increase;
                    }
                }
            }
        }
        var merged = buckets.Select(b => new HistogramBucket(b.Key, b.Value)).OrderBy(b => b.UpperBound).ToList();
        return new WindowMeasurement(merged, requests, errors, measured, without) { PodsFailing = failing };
    }

    /// <summary>
    /// What the stable pods' mirroring (issue 23) counted over the <paramref name="window"/> ending at
    /// <paramref name="now"/>, merged across <paramref name="pods"/>, with the same per-pod rules as <see cref="Measure"/>.
    /// </summary>
    public ShadowMeasurement MeasureShadow(IEnumerable<string> pods, DateTimeOffset now, TimeSpan window)
    {
        var outputs = new Dictionary<string, (double Compared, double Agreeing, Dictionary<double, double> Buckets)>(StringComparer.Ordinal);
        double mirrored = 0, failures = 0, dropped = 0;
        var measured = 0;
        lock (_gate)
        {
            foreach (var name in pods.Distinct())
            {
                if (!_pods.TryGetValue(name, out var pod) || pod.LastError is not null || pod.Snapshots.Count < 2) continue;
                var latest = pod.Snapshots[^1];
                if (latest.At < now - window) continue;
                var baseline = pod.Snapshots[Math.Max(pod.Snapshots.FindLastIndex(s => s.At <= latest.At - window), 0)];
                measured++;
                foreach (var (key, sample) in latest.Series)
                {
                    var increase = Increase(sample.Value, baseline.Series.TryGetValue(key, out var before) ? before.Value : null);
                    switch (sample.Name)
                    {
                        case RuntimeMetricNames.ShadowMirrored: mirrored += increase; continue;
                        case RuntimeMetricNames.ShadowFailures: failures += increase; continue;
                        case RuntimeMetricNames.ShadowDropped: dropped += increase; continue;
                    }
                    if (sample.Label("output") is not { } output) continue;
                    if (!outputs.TryGetValue(output, out var o)) o = (0, 0, new Dictionary<double, double>());
                    if (sample.Name == RuntimeMetricNames.ShadowCompared) o.Compared += increase;
                    else if (sample.Name == RuntimeMetricNames.ShadowAgreeing) o.Agreeing += increase;
                    else if (sample.Name == RuntimeMetricNames.ShadowMaxAbsDiffBucket && sample.Label("le") is { } le && ParseBound(le) is { } bound)
                        o.Buckets[bound] = o.Buckets.GetValueOrDefault(bound) + increase;
                    outputs[output] = o;
                }
            }
        }
        return new ShadowMeasurement(
            outputs.OrderBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => new OutputMeasurement(o.Key, o.Value.Compared, o.Value.Agreeing,
                    o.Value.Buckets.Select(b => new HistogramBucket(b.Key, b.Value)).OrderBy(b => b.UpperBound).ToList()))
                .ToList(),
            mirrored, failures, dropped, measured);
    }

    /// <summary>The increase of one counter series between two snapshots, as PromQL takes it across a reset.</summary>
    public static double Increase(double current, double? previous)
    {
        if (double.IsNaN(current)) return 0;
        if (previous is not { } before || double.IsNaN(before)) return current;
        return current >= before ? current - before : current;
    }

    private static double? ParseBound(string le) => le switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        _ when double.TryParse(le, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
        _ => null,
    };

    private static Dictionary<string, MetricSample> Relevant(IReadOnlyList<MetricSample> samples)
    {
        var series = new Dictionary<string, MetricSample>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            if (sample.Name is not (RuntimeMetricNames.Requests or RuntimeMetricNames.RequestDurationBucket
                or RuntimeMetricNames.ShadowCompared or RuntimeMetricNames.ShadowAgreeing or RuntimeMetricNames.ShadowMaxAbsDiffBucket
                or RuntimeMetricNames.ShadowMirrored or RuntimeMetricNames.ShadowFailures or RuntimeMetricNames.ShadowDropped)) continue;
            series[SeriesKey(sample)] = sample;
        }
        return series;
    }

    private static string SeriesKey(MetricSample sample) =>
        sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";

    private sealed record Snapshot(DateTimeOffset At, Dictionary<string, MetricSample> Series);

    private sealed class PodRecord
    {
        public List<Snapshot> Snapshots { get; } = [];
        public string? LastError { get; set; }
    }
}
