using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

public sealed class IntervalAnalysisTests
{
    private static readonly RevisionWindow Stable = new(1000, 0, 10);

    [Theory]
    [InlineData(20.0, CheckResult.Passed)]   // exactly at maxP95Ms
    [InlineData(20.01, CheckResult.Failed)]  // just over
    [InlineData(double.NaN, CheckResult.Failed)] // requests but no latency: a failed check
    public void MaxP95Ms(double p95, CheckResult expected)
    {
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ms = 20 }, new RevisionWindow(100, 0, p95), Stable);
        Assert.Equal(expected, v.Result);
    }

    [Theory]
    [InlineData(15.0, CheckResult.Passed)]   // ratio 1.5 exactly
    [InlineData(15.1, CheckResult.Failed)]
    public void MaxP95Ratio(double p95, CheckResult expected)
    {
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ratio = 1.5 }, new RevisionWindow(100, 0, p95), Stable);
        Assert.Equal(expected, v.Result);
    }

    [Fact]
    public void FailedRatio_MessageHasBothP95sAndTheThreshold()
    {
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ratio = 1.5 }, new RevisionWindow(100, 0, 30), Stable);
        Assert.Equal("Check failed: p95 ratio 3 (canary 30ms / stable 10ms) exceeds maxP95Ratio 1.5 (canary p95 30ms, error rate 0 over 100 requests; stable p95 10ms)", v.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void RatioWithoutStableLatency_IsInconclusive(double? stableP95)
    {
        var stable = stableP95 is null ? null : new RevisionWindow(stableP95 == 0 ? 0 : 10, 0, stableP95.Value);
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ratio = 1.5 }, new RevisionWindow(100, 0, 12), stable);
        Assert.Equal(CheckResult.Inconclusive, v.Result);
    }

    [Theory]
    [InlineData(1.0, CheckResult.Passed)]  // 1/100 = 0.01 exactly
    [InlineData(2.0, CheckResult.Failed)]
    public void MaxErrorRate(double errors, CheckResult expected)
    {
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxErrorRate = 0.01 }, new RevisionWindow(100, errors, 5), Stable);
        Assert.Equal(expected, v.Result);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void NoRequestsToTheCanary_IsInconclusive(double requests)
    {
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ms = 20 }, new RevisionWindow(requests, 0, double.NaN), Stable);
        Assert.Equal(CheckResult.Inconclusive, v.Result);
        Assert.Equal(CheckResult.Inconclusive, IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ms = 20 }, null, Stable).Result);
    }

    // DESIGN §3 "no data is a failed check" against issue 9 "no requests is inconclusive": both hold, for different inputs.
    [Theory]
    [InlineData("scrapes failed", CheckResult.Failed)]       // every canary scrape failed: no data
    [InlineData("pods too new", CheckResult.Inconclusive)]    // no full interval yet: nothing to judge
    [InlineData("no requests", CheckResult.Inconclusive)]     // pods answered, nobody called them
    [InlineData("requests", CheckResult.Passed)]
    public void NoDataFails_NoRequestsWaits(string canaryCase, CheckResult expected)
    {
        RevisionWindow? canary = canaryCase switch
        {
            "scrapes failed" => RevisionWindow.ScrapesFailed("md-b-0: connection refused"),
            "pods too new" => null,
            "no requests" => new RevisionWindow(0, 0, double.NaN),
            _ => new RevisionWindow(100, 0, 5),
        };
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ms = 20 }, canary, Stable);
        Assert.Equal(expected, v.Result);
    }

    [Fact]
    public void FailedScrapes_MessageNamesThePodAndTheError()
    {
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ratio = 1.5 }, RevisionWindow.ScrapesFailed("md-b-0: connection refused"), Stable);
        Assert.Equal("Check failed: no data from the canary, every scrape failed (md-b-0: connection refused)", v.Message);
    }

    [Fact]
    public void StableScrapesFailed_RatioIsInconclusive()
    {
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ratio = 1.5 }, new RevisionWindow(100, 0, 12), RevisionWindow.ScrapesFailed("md-a-0: timeout"));
        Assert.Equal(CheckResult.Inconclusive, v.Result);
    }

    [Fact]
    public void InconclusiveVerdicts_SayWhy()
    {
        var spec = new AnalysisSpec { MaxP95Ratio = 1.5 };
        Assert.Equal("Check inconclusive: no requests reached the canary in the interval",
            IntervalAnalysis.Analyze(spec, new RevisionWindow(0, 0, double.NaN), Stable).Message);
        Assert.Equal("Check inconclusive: no admitted canary pod to measure",
            IntervalAnalysis.Analyze(spec, null, Stable, "no admitted canary pod to measure").Message);
        Assert.Equal("Check inconclusive: the stable revision has no latency to compare with (canary p95 12ms, error rate 0 over 100 requests)",
            IntervalAnalysis.Analyze(spec, new RevisionWindow(100, 0, 12), null).Message);
    }
}
