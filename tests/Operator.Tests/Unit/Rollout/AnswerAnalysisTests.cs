using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>A shadow interval judged on the answers, from the stable pods' mirroring counters (issue 23): a row per boundary.</summary>
public sealed class AnswerAnalysisTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    // A stable pod's shadow series: per output compared, agreeing, and the diff histogram (every request's max |diff| at most 'diffAtMost').
    private static PodScrape Scrape(string pod, DateTimeOffset at, double compared, double agreeing, double diffAtMost = 0, string output = "probabilities",
        double mirrored = -1, double failures = 0) => PodScrape.Ok(pod, at, PrometheusTextParser.Parse($$"""
        modelruntime_requests_total{model="m",outcome="success"} {{compared}}
        modelruntime_request_duration_seconds_bucket{model="m",outcome="success",le="0.01"} {{compared}}
        modelruntime_request_duration_seconds_bucket{model="m",outcome="success",le="+Inf"} {{compared}}
        modelruntime_shadow_mirrored_total{model="m"} {{(mirrored < 0 ? compared : mirrored)}}
        modelruntime_shadow_failures_total{model="m",reason="timeout"} {{failures}}
        modelruntime_shadow_compared_total{model="m",output="{{output}}"} {{compared}}
        modelruntime_shadow_agreeing_total{model="m",output="{{output}}"} {{agreeing}}
        modelruntime_shadow_max_abs_diff_bucket{model="m",output="{{output}}",le="0"} {{(diffAtMost == 0 ? compared : 0)}}
        modelruntime_shadow_max_abs_diff_bucket{model="m",output="{{output}}",le="0.01"} {{(diffAtMost <= 0.01 ? compared : 0)}}
        modelruntime_shadow_max_abs_diff_bucket{model="m",output="{{output}}",le="0.1"} {{(diffAtMost <= 0.1 ? compared : 0)}}
        modelruntime_shadow_max_abs_diff_bucket{model="m",output="{{output}}",le="+Inf"} {{compared}}
        """));

    private static ShadowMeasurement Measure(params PodScrape[] scrapes)
    {
        var h = new MetricsHistory(Window * 2);
        foreach (var s in scrapes) h.Record(s);
        return h.MeasureShadow(scrapes.Select(s => s.Pod), T0 + Window, Window);
    }

    [Fact]
    public void ShadowSeries_AreTheIntervalsDeltas_MergedAcrossStablePods()
    {
        var m = Measure(
            Scrape("s-0", T0, compared: 100, agreeing: 100), Scrape("s-0", T0 + Window, compared: 150, agreeing: 140),
            Scrape("s-1", T0, compared: 10, agreeing: 10), Scrape("s-1", T0 + Window, compared: 60, agreeing: 50, failures: 3));
        var o = Assert.Single(m.Outputs);
        Assert.Equal(("probabilities", 100.0, 80.0), (o.Output, o.Compared, o.Agreeing));
        Assert.Equal(0.8, o.Agreement);
        Assert.Equal((100.0, 3.0, 2), (m.Mirrored, m.Failures, m.PodsMeasured));
    }

    [Fact]
    public void ShadowDiffBuckets_DoNotLeakIntoTheLatencyWindow()
    {
        var h = new MetricsHistory(Window * 2);
        h.Record(Scrape("s-0", T0, compared: 0, agreeing: 0));
        h.Record(Scrape("s-0", T0 + Window, compared: 100, agreeing: 100, diffAtMost: 0.1));
        var latency = h.Measure(["s-0"], T0 + Window, Window);
        Assert.Equal([0.01, double.PositiveInfinity], latency.LatencyBuckets.Select(b => b.UpperBound));
    }

    [Theory]
    [InlineData(95, CheckResult.Passed)]  // exactly at minAgreement 0.95
    [InlineData(94, CheckResult.Failed)]  // one request under
    public void MinAgreement(double agreeing, CheckResult expected)
    {
        var m = Measure(Scrape("s-0", T0, 0, 0), Scrape("s-0", T0 + Window, compared: 100, agreeing: agreeing));
        Assert.Equal(expected, AnswerAnalysis.Analyze(new AnswerChecks(0.95, null), m).Result);
    }

    [Theory]
    [InlineData(0.0, CheckResult.Passed)]
    [InlineData(0.01, CheckResult.Passed)]  // every request's diff in (0, 0.01]: p99 interpolates to 0.0099
    [InlineData(0.1, CheckResult.Failed)]   // in (0.01, 0.1]: p99 0.0991 over maxOutputDiff 0.01
    public void MaxOutputDiff(double diffAtMost, CheckResult expected)
    {
        var m = Measure(Scrape("s-0", T0, 0, 0), Scrape("s-0", T0 + Window, compared: 100, agreeing: 100, diffAtMost: diffAtMost));
        Assert.Equal(expected, AnswerAnalysis.Analyze(new AnswerChecks(null, 0.01), m).Result);
    }

    [Fact]
    public void FailedCheck_NamesTheOutputTheMeasuredValuesAndExampleDisagreements()
    {
        var m = Measure(Scrape("s-0", T0, 0, 0), Scrape("s-0", T0 + Window, compared: 200, agreeing: 124, diffAtMost: 0.1));
        var v = AnswerAnalysis.Analyze(new AnswerChecks(0.95, null), m, ["req-7: row 0: stable top-1 3, shadow top-1 5"]);
        Assert.Equal("Check failed: agreement 0.62 on 'probabilities' is below minAgreement 0.95 ('probabilities' agreement 0.62 (124 of 200), "
            + "p99 max |diff| 0.099; 200 mirrored, 0 shadow failures, 0 dropped); e.g. req-7: row 0: stable top-1 3, shadow top-1 5", v.Message);
    }

    [Fact]
    public void NoComparedRequest_IsInconclusive_AndSaysWhatHappenedToTheCopies()
    {
        var m = Measure(Scrape("s-0", T0, 0, 0, mirrored: 0), Scrape("s-0", T0 + Window, compared: 0, agreeing: 0, mirrored: 30, failures: 30));
        var v = AnswerAnalysis.Analyze(new AnswerChecks(0.95, null), m);
        Assert.Equal(CheckResult.Inconclusive, v.Result);
        Assert.Equal("Check inconclusive: no request was compared on 'probabilities' in the interval (30 mirrored, 30 shadow failures, 0 dropped)", v.Message);
        Assert.Equal(CheckResult.Inconclusive, AnswerAnalysis.Analyze(new AnswerChecks(0.95, null), new ShadowMeasurement([], 0, 0, 0, 0)).Result);
    }

    [Fact]
    public void NamedOutputs_AreTheOnlyOnesChecked_AndOneNeverComparedIsInconclusive()
    {
        var m = Measure(Scrape("s-0", T0, 0, 0, output: "embedding"), Scrape("s-0", T0 + Window, compared: 100, agreeing: 0, output: "embedding"));
        Assert.Equal(CheckResult.Inconclusive, AnswerAnalysis.Analyze(new AnswerChecks(0.95, null, ["probabilities"]), m).Result);
        Assert.Equal(CheckResult.Failed, AnswerAnalysis.Analyze(new AnswerChecks(0.95, null), m).Result);
    }
}
