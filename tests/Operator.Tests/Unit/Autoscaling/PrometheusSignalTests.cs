using ModelOperator.Operator.Autoscaling;
using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Tests.Unit.Autoscaling;

public sealed class PrometheusSignalTests
{
    [Theory]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.5,"42.5"]}]}}""", 42.5)]
    [InlineData("""{"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"7"]}}""", 7.0)]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"+Inf"]}]}}""", double.PositiveInfinity)]
    public void Parse_ReadsOneValue(string json, double expected)
    {
        Assert.Equal(expected, PrometheusAnswer.Parse(json).Value);
    }

    [Fact]
    public void Parse_KeepsNaNAsAValue()
    {
        var answer = PrometheusAnswer.Parse("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}""");
        Assert.True(double.IsNaN(answer.Value!.Value));
    }

    [Fact]
    public void Parse_AnEmptyVector_IsEmptyNotAnError()
    {
        var answer = PrometheusAnswer.Parse("""{"status":"success","data":{"resultType":"vector","result":[]}}""");
        Assert.True(answer.Empty);
    }

    [Theory]
    [InlineData("""{"status":"error","errorType":"bad_data","error":"parse error at char 5"}""", "(bad_data): parse error at char 5")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"2"]}]}}""", "returned 2 series")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[]}}""", "returned a matrix")]
    [InlineData("<html>", "unreadable body")]
    public void Parse_Errors_SayWhat(string json, string expected)
    {
        Assert.Contains(expected, PrometheusAnswer.Parse(json).Error);
    }

    [Fact]
    public void DefaultQuery_SelectsThePodsOfOneModelDeployment()
    {
        var query = PrometheusQueries.LatencyMs(0.95, "prod", "my.model", TimeSpan.FromSeconds(30));
        Assert.Equal("histogram_quantile(0.95, sum by (le) (rate(modelruntime_request_duration_seconds_bucket{namespace=\"prod\",pod=~\"my\\\\.model-[0-9a-f]{10}-[^-]+-[^-]+\"}[30s]))) * 1000", query);
        Assert.Equal("sum(increase(modelruntime_requests_total{namespace=\"prod\",pod=~\"m-[0-9a-f]{10}-[^-]+-[^-]+\"}[90s]))",
            PrometheusQueries.Requests("prod", "m", TimeSpan.FromSeconds(90)));
    }

    private static PrometheusAnswer Value(double v) => new(v, null);
    private static readonly PrometheusAnswer Empty = new(null, null);
    private static readonly PrometheusAnswer Down = new(null, "Prometheus at http://127.0.0.1:9 could not be reached: refused");

    public static TheoryData<string, PrometheusAnswer, PrometheusAnswer?, string> Signals => new()
    {
        { "a latency", Value(120), null, "Latency" },
        { "Prometheus down", Down, null, "FailedGetPrometheusMetric" },
        { "NaN, no requests counted", Value(double.NaN), Value(0), "Idle" },
        { "NaN while requests were counted", Value(double.NaN), Value(25), "InvalidMetric" },
        { "empty while requests were counted", Empty, Value(25), "InvalidMetric" },
        { "empty and no series at all", Empty, Empty, "NoMetricSeries" },
        { "NaN and the request query failed", Value(double.NaN), Down, "FailedGetPrometheusMetric" },
    };

    [Theory]
    [MemberData(nameof(Signals))]
    public void FromPrometheus_TellsIdleFromNoData(string scenario, PrometheusAnswer latency, PrometheusAnswer? requests, string expected)
    {
        var signal = SignalReader.FromPrometheus(latency, requests);
        var actual = signal switch
        {
            ScalingSignal.Latency => "Latency",
            ScalingSignal.Idle => "Idle",
            ScalingSignal.NoData n => n.Reason,
            _ => "?",
        };
        Assert.True(expected == actual, $"{scenario}: expected {expected}, got {actual}");
    }

    public static TheoryData<string, WindowMeasurement, int, string> PodWindows => new()
    {
        { "no ready pods", Window(0, 0), 0, "NoReadyPods" },
        { "a pod failed its scrape", Window(100, 1) with { PodsFailing = ["b"] }, 2, "FailedGetPodsMetric" },
        { "scraped once so far", Window(0, 0), 2, "AwaitingMetricWindow" },
        { "answered, nothing counted", Window(0, 2), 2, "Idle" },
        { "requests observed", Window(10, 2), 2, "Latency" },
        { "requests counted, no histogram", new WindowMeasurement([], 10, 0, 2, new Dictionary<string, string>()), 2, "InvalidMetric" },
    };

    [Theory]
    [MemberData(nameof(PodWindows))]
    public void FromPods_TellsIdleFromNoData(string scenario, WindowMeasurement window, int podsExpected, string expected)
    {
        var signal = SignalReader.FromPods(window, 0.95, podsExpected);
        var actual = signal switch
        {
            ScalingSignal.Latency => "Latency",
            ScalingSignal.Idle => "Idle",
            ScalingSignal.NoData n => n.Reason,
            _ => "?",
        };
        Assert.True(expected == actual, $"{scenario}: expected {expected}, got {actual}");
    }

    private static WindowMeasurement Window(double requests, int measured) =>
        new([new(0.05, requests), new(double.PositiveInfinity, requests)], requests, 0, measured,
            new Dictionary<string, string> { ["b"] = "timed out" });
}
