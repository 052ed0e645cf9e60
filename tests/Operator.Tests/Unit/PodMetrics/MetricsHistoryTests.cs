using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Tests.Unit.PodMetrics;

public sealed class MetricsHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(10, 4, 6)]      // a counter that grew: the difference
    [InlineData(10, 10, 0)]     // unchanged
    [InlineData(3, 10, 3)]      // went down, so the pod restarted: the new value is the increase
    [InlineData(0, 10, 0)]      // restarted and not yet counted
    public void Increase_HandlesCounterResets(double current, double previous, double expected)
    {
        Assert.Equal(expected, MetricsHistory.Increase(current, previous));
    }

    [Fact]
    public void Increase_OfASeriesNotSeenAtTheBaseline_IsItsWholeValue()
    {
        Assert.Equal(7, MetricsHistory.Increase(7, null));
    }

    [Fact]
    public void Measure_TakesPerPodDeltasOverTheWindow_AndMergesBuckets()
    {
        var history = new MetricsHistory(TimeSpan.FromMinutes(5));
        // Before the window: counts that must not be included.
        history.Record(Scrape("a", T0, success: 100, serverErrors: 0, fast: 100, slow: 0));
        history.Record(Scrape("a", T0.AddSeconds(10), success: 110, serverErrors: 0, fast: 110, slow: 0));
        history.Record(Scrape("a", T0.AddSeconds(40), success: 150, serverErrors: 2, fast: 140, slow: 12));
        history.Record(Scrape("b", T0.AddSeconds(5), success: 0, serverErrors: 0, fast: 0, slow: 0));
        history.Record(Scrape("b", T0.AddSeconds(40), success: 20, serverErrors: 0, fast: 0, slow: 20));

        var window = history.Measure(["a", "b"], T0.AddSeconds(40), Window);

        // a: baseline is the snapshot at 10 s (the newest at or before 40 - 30): 40 + 2 requests, 30 fast, 12 slow.
        // b: only 35 s of history, measured over what there is: 20 requests, all slow.
        Assert.Equal(2, window.PodsMeasured);
        Assert.Empty(window.PodsWithoutData);
        Assert.Equal(62, window.Requests);
        Assert.Equal(2, window.Errors);
        Assert.Equal(2.0 / 62, window.ErrorRate, 12);
        Assert.Equal([new(0.01, 30), new(0.1, 62), new(double.PositiveInfinity, 62)], window.LatencyBuckets);
        // rank 0.95 * 62 = 58.9 falls in (0.01, 0.1]: 0.01 + 0.09 * (58.9 - 30) / 32.
        Assert.Equal((0.01 + 0.09 * (58.9 - 30) / 32) * 1000, window.LatencyQuantileMs(0.95), 9);
        Assert.False(window.Idle);
    }

    [Fact]
    public void Measure_OfARestartedPod_CountsItsNewValues()
    {
        var history = new MetricsHistory(TimeSpan.FromMinutes(5));
        history.Record(Scrape("a", T0, success: 500, serverErrors: 0, fast: 500, slow: 0));
        history.Record(Scrape("a", T0.AddSeconds(30), success: 8, serverErrors: 0, fast: 0, slow: 8));

        var window = history.Measure(["a"], T0.AddSeconds(30), Window);

        Assert.Equal(8, window.Requests);
        Assert.Equal([new(0.01, 0), new(0.1, 8), new(double.PositiveInfinity, 8)], window.LatencyBuckets);
    }

    [Fact]
    public void Measure_PodsThatAnswerWithoutCountingRequests_AreIdle()
    {
        var history = new MetricsHistory(TimeSpan.FromMinutes(5));
        foreach (var pod in new[] { "a", "b" })
        {
            history.Record(Scrape(pod, T0, success: 9, serverErrors: 1, fast: 10, slow: 0));
            history.Record(Scrape(pod, T0.AddSeconds(30), success: 9, serverErrors: 1, fast: 10, slow: 0));
        }

        var window = history.Measure(["a", "b"], T0.AddSeconds(30), Window);

        Assert.True(window.Idle);
        Assert.Equal(0, window.Requests);
        Assert.True(double.IsNaN(window.LatencyQuantileMs(0.95)));
        Assert.True(double.IsNaN(window.ErrorRate));
    }

    [Fact]
    public void Measure_APodWhoseLatestScrapeFailed_IsNoDataAndNotIdle()
    {
        var history = new MetricsHistory(TimeSpan.FromMinutes(5));
        history.Record(Scrape("a", T0, success: 9, serverErrors: 0, fast: 9, slow: 0));
        history.Record(Scrape("a", T0.AddSeconds(30), success: 9, serverErrors: 0, fast: 9, slow: 0));
        history.Record(Scrape("b", T0, success: 9, serverErrors: 0, fast: 9, slow: 0));
        history.Record(Scrape("b", T0.AddSeconds(15), success: 9, serverErrors: 0, fast: 9, slow: 0));
        history.Record(PodScrape.Failed("b", T0.AddSeconds(30), "GET http://10.0.0.2:8080/metrics timed out after 2s"));

        var window = history.Measure(["a", "b"], T0.AddSeconds(30), Window);

        Assert.False(window.Idle);
        Assert.Equal(1, window.PodsMeasured);
        Assert.Equal("GET http://10.0.0.2:8080/metrics timed out after 2s", window.PodsWithoutData["b"]);
        Assert.Equal(["b"], window.PodsFailing);
    }

    [Fact]
    public void Measure_NamesPodsWithTooLittleOrStaleHistory()
    {
        var history = new MetricsHistory(TimeSpan.FromMinutes(5));
        history.Record(Scrape("once", T0.AddSeconds(60), success: 1, serverErrors: 0, fast: 1, slow: 0));
        history.Record(Scrape("stale", T0, success: 1, serverErrors: 0, fast: 1, slow: 0));
        history.Record(Scrape("stale", T0.AddSeconds(10), success: 1, serverErrors: 0, fast: 1, slow: 0));

        var window = history.Measure(["once", "stale", "never"], T0.AddSeconds(60), Window);

        Assert.Equal(0, window.PodsMeasured);
        Assert.False(window.Idle);
        Assert.Contains("two", window.PodsWithoutData["once"]);
        Assert.Contains("before the window", window.PodsWithoutData["stale"]);
        Assert.Equal("not scraped yet", window.PodsWithoutData["never"]);
    }

    [Fact]
    public void Record_KeepsOnlyWhatTheRetentionNeeds_AndRetainForgetsGonePods()
    {
        var history = new MetricsHistory(TimeSpan.FromSeconds(30));
        for (var s = 0; s <= 300; s += 10) history.Record(Scrape("a", T0.AddSeconds(s), success: s, serverErrors: 0, fast: s, slow: 0));
        history.Record(Scrape("b", T0.AddSeconds(290), success: 0, serverErrors: 0, fast: 0, slow: 0));
        history.Record(Scrape("b", T0.AddSeconds(300), success: 0, serverErrors: 0, fast: 0, slow: 0));

        // A window longer than the retention is measured over the retention.
        Assert.Equal(30, history.Measure(["a"], T0.AddSeconds(300), TimeSpan.FromMinutes(10)).Requests);

        history.Retain(["a"]);
        Assert.Equal("not scraped yet", history.Measure(["b"], T0.AddSeconds(300), Window).PodsWithoutData["b"]);
    }

    /// <summary>A runtime pod's exposition with two latency buckets (10 ms and 100 ms) and +Inf.</summary>
    private static PodScrape Scrape(string pod, DateTimeOffset at, double success, double serverErrors, double fast, double slow)
    {
        var total = fast + slow;
        MetricSample Bucket(string le, double value) =>
            new(RuntimeMetricNames.RequestDurationBucket, new Dictionary<string, string> { ["model"] = "m", ["outcome"] = "success", ["le"] = le }, value);
        List<MetricSample> samples =
        [
            new(RuntimeMetricNames.Requests, new Dictionary<string, string> { ["model"] = "m", ["outcome"] = "success" }, success),
            new(RuntimeMetricNames.Requests, new Dictionary<string, string> { ["model"] = "m", ["outcome"] = "client_error" }, 0),
            Bucket("0.01", fast), Bucket("0.1", total), Bucket("+Inf", total),
            new(RuntimeMetricNames.RequestDuration + "_sum", new Dictionary<string, string> { ["model"] = "m", ["outcome"] = "success" }, 1),
        ];
        if (serverErrors > 0)
            samples.Add(new(RuntimeMetricNames.Requests, new Dictionary<string, string> { ["model"] = "m", ["outcome"] = "server_error" }, serverErrors));
        return PodScrape.Ok(pod, at, samples);
    }
}
