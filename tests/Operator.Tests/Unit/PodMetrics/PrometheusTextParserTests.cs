using System.Text;
using ModelOperator.Operator.PodMetrics;
using Prometheus;

namespace ModelOperator.Operator.Tests.Unit.PodMetrics;

public sealed class PrometheusTextParserTests
{
    [Fact]
    public void Parse_ReadsLabelsEscapesSpecialValuesAndTimestamps()
    {
        const string text = """
            # HELP modelruntime_requests_total Inference requests.
            # TYPE modelruntime_requests_total counter
            modelruntime_requests_total{model="mlp",outcome="success"} 12
            odd{path="C:\\dir",quote="say \"hi\"",nl="a\nb",empty=""} 1.5e-3 1700000000000
            gauge_nan NaN
            up_inf{le="+Inf"} +Inf
            down -Inf

            """;
        var samples = PrometheusTextParser.Parse(text);
        Assert.Equal(5, samples.Count);
        Assert.Equal(12, samples[0].Value);
        Assert.Equal("success", samples[0].Label("outcome"));
        Assert.Equal(@"C:\dir", samples[1].Label("path"));
        Assert.Equal("say \"hi\"", samples[1].Label("quote"));
        Assert.Equal("a\nb", samples[1].Label("nl"));
        Assert.Equal("", samples[1].Label("empty"));
        Assert.Equal(0.0015, samples[1].Value);
        Assert.True(double.IsNaN(samples[2].Value));
        Assert.Equal(double.PositiveInfinity, samples[3].Value);
        Assert.Equal("+Inf", samples[3].Label("le"));
        Assert.Equal(double.NegativeInfinity, samples[4].Value);
    }

    [Theory]
    [InlineData("name_only", "expected a value")]
    [InlineData("m{a=\"1\"", "unterminated label set")]
    [InlineData("m{a=\"1\" 3", "expected a label name")]
    [InlineData("m{a=\"1", "unterminated value of label a")]
    [InlineData("m{a=1} 3", "expected a quoted value for label a")]
    [InlineData("m{a=\"\\t\"} 3", "unknown escape")]
    [InlineData("m twelve", "'twelve' is not a number")]
    [InlineData("{a=\"1\"} 3", "expected a metric name")]
    public void Parse_NamesTheLineAndTheProblem(string line, string problem)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("ok 1\n" + line));
        Assert.Contains("line 2", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public async Task Parse_ReadsWhatPrometheusNetWritesForTheRuntimesMetrics()
    {
        // The same shapes as runtime/Metrics/RuntimeMetrics.cs, exported by prometheus-net itself.
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var requests = factory.CreateCounter(RuntimeMetricNames.Requests, "requests", "model", "outcome");
        var duration = factory.CreateHistogram(RuntimeMetricNames.RequestDuration, "latency",
            new HistogramConfiguration { LabelNames = ["model", "outcome"], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        requests.WithLabels("mlp", "success").Inc(3);
        duration.WithLabels("mlp", "success").Observe(0.003);
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);

        var samples = PrometheusTextParser.Parse(Encoding.UTF8.GetString(stream.ToArray()));

        Assert.Equal(3, samples.Single(s => s.Name == RuntimeMetricNames.Requests).Value);
        var buckets = samples.Where(s => s.Name == RuntimeMetricNames.RequestDurationBucket).ToList();
        Assert.Equal(19, buckets.Count);
        Assert.Equal(1, buckets.Single(b => b.Label("le") == "+Inf").Value);
        Assert.Equal(0, buckets.Single(b => b.Label("le") == "0.0016").Value);
        Assert.Equal(1, buckets.Single(b => b.Label("le") == "0.0032").Value);
    }
}
