using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>A canary's interval as the analysis sees it, from pod scrapes through the shared metrics history.</summary>
public sealed class RevisionWindowsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    // A pod's exposition: ok and server_error counts, and every request in the 10ms or the 50ms bucket.
    private static PodScrape Scrape(string pod, DateTimeOffset at, double ok, double errors, double fast, double slow) => PodScrape.Ok(pod, at, PrometheusTextParser.Parse($$"""
        modelruntime_requests_total{model="m",outcome="ok"} {{ok}}
        modelruntime_requests_total{model="m",outcome="server_error"} {{errors}}
        modelruntime_request_duration_seconds_bucket{model="m",outcome="ok",le="0.01"} {{fast}}
        modelruntime_request_duration_seconds_bucket{model="m",outcome="ok",le="0.05"} {{fast + slow}}
        modelruntime_request_duration_seconds_bucket{model="m",outcome="ok",le="+Inf"} {{fast + slow}}
        """));

    private static RevisionWindow? Window(MetricsHistory h, params string[] pods) => RevisionWindows.From(h.Measure(pods, T0.AddSeconds(10), TimeSpan.FromSeconds(10)));

    [Fact]
    public void RequestsErrorsAndP95_AreTheIntervalsDeltas()
    {
        var h = new MetricsHistory(TimeSpan.FromSeconds(20));
        h.Record(Scrape("a", T0, ok: 1000, errors: 5, fast: 1000, slow: 0));
        h.Record(Scrape("a", T0.AddSeconds(10), ok: 1100, errors: 6, fast: 1000, slow: 100));
        var w = Window(h, "a")!;
        Assert.Equal((101.0, 1.0), (w.Requests, w.Errors));
        Assert.Equal(48, w.P95Ms, 3); // all 100 new requests in (10ms, 50ms]: p95 interpolates to 48ms
    }

    [Fact]
    public void CounterReset_CountsTheNewValues_NeverNegative()
    {
        var h = new MetricsHistory(TimeSpan.FromSeconds(20));
        h.Record(Scrape("a", T0, ok: 1000, errors: 0, fast: 1000, slow: 0));
        h.Record(Scrape("a", T0.AddSeconds(10), ok: 20, errors: 0, fast: 20, slow: 0)); // the pod restarted
        var w = Window(h, "a")!;
        Assert.Equal(20, w.Requests);
        Assert.True(w.P95Ms is > 0 and <= 10);
    }

    [Fact]
    public void PodWithoutMetrics_IsLeftOut_TheOthersCount()
    {
        var h = new MetricsHistory(TimeSpan.FromSeconds(20));
        h.Record(Scrape("a", T0, 0, 0, 0, 0));
        h.Record(Scrape("a", T0.AddSeconds(10), 10, 0, 10, 0));
        h.Record(PodScrape.Failed("b", T0.AddSeconds(10), "connection refused"));
        Assert.Equal(10, Window(h, "a", "b")!.Requests);
    }

    [Fact]
    public void FailedScrapes_AreNoData_TooNewIsNothing_AndNoRequestsHasNoP95()
    {
        var h = new MetricsHistory(TimeSpan.FromSeconds(20));
        h.Record(PodScrape.Failed("b", T0.AddSeconds(10), "connection refused"));
        Assert.Equal("b: connection refused", Window(h, "b")!.ScrapeFailure);

        h.Record(Scrape("c", T0.AddSeconds(10), 0, 0, 0, 0));
        Assert.Null(Window(h, "c")); // one scrape: too new for a window, not a failure

        h.Record(Scrape("a", T0, 5, 0, 5, 0));
        h.Record(Scrape("a", T0.AddSeconds(10), 5, 0, 5, 0));
        var idle = Window(h, "a")!;
        Assert.Equal(0, idle.Requests);
        Assert.True(double.IsNaN(idle.P95Ms));
    }

    [Fact]
    public void NoWindowReason_NamesEachPodAndWhy_OrThatThereIsNone()
    {
        var h = new MetricsHistory(TimeSpan.FromSeconds(20));
        Assert.Equal("no admitted canary pod to measure", RevisionWindows.NoWindowReason(h.Measure([], T0.AddSeconds(10), TimeSpan.FromSeconds(10))));
        h.Record(Scrape("c", T0.AddSeconds(10), 0, 0, 0, 0));
        Assert.Equal("no canary pod has a full interval yet (b: not scraped yet; c: one scrape so far; a window needs two)",
            RevisionWindows.NoWindowReason(h.Measure(["c", "b"], T0.AddSeconds(10), TimeSpan.FromSeconds(10))));
    }
}
