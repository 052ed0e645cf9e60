using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Tests.Unit.PodMetrics;

public sealed class PodMetricsScraperTests : IAsyncLifetime
{
    private readonly int _port = FreePort.Next();
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _app = builder.Build();
        _app.MapGet("/metrics", () => "# TYPE modelruntime_requests_total counter\nmodelruntime_requests_total{model=\"m\",outcome=\"success\"} 4\n");
        _app.MapGet("/broken/metrics", () => Results.Text("not metrics at all"));
        _app.MapGet("/failing/metrics", () => Results.StatusCode(503));
        _app.MapGet("/slow/metrics", async (CancellationToken ct) => { await Task.Delay(TimeSpan.FromSeconds(30), ct); return "x 1"; });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    [Fact]
    public async Task Scrape_OfAnAnsweringPod_ReturnsItsSamples()
    {
        var scrape = await Scraper().ScrapeAsync("pod-a", PodMetricsScraper.MetricsUri("127.0.0.1", _port), CancellationToken.None);
        Assert.True(scrape.Succeeded, scrape.Error);
        Assert.Equal(4, scrape.Samples!.Single().Value);
        Assert.Equal("pod-a", scrape.Pod);
    }

    [Theory]
    [InlineData("/failing/metrics", "answered 503")]
    [InlineData("/broken/metrics", "unparseable exposition")]
    public async Task Scrape_Failures_AreValuesThatSayWhy(string path, string why)
    {
        var scrape = await Scraper().ScrapeAsync("pod-a", new Uri($"http://127.0.0.1:{_port}{path}"), CancellationToken.None);
        Assert.False(scrape.Succeeded);
        Assert.True(scrape.Error!.Contains(why, StringComparison.Ordinal), scrape.Error);
    }

    [Fact]
    public async Task Scrape_OfAPodThatDoesNotAnswerInTime_IsATimeoutValue()
    {
        var scraper = new PodMetricsScraper(new HttpClient(), TimeProvider.System, TimeSpan.FromSeconds(1));
        var scrape = await scraper.ScrapeAsync("pod-a", new Uri($"http://127.0.0.1:{_port}/slow/metrics"), CancellationToken.None);
        Assert.False(scrape.Succeeded);
        Assert.True(scrape.Error!.Contains("timed out after 1s", StringComparison.Ordinal), scrape.Error);
    }

    [Fact]
    public async Task Scrape_OfAPodNobodyListensOn_IsAFailureValue()
    {
        var scrape = await Scraper().ScrapeAsync("pod-a", PodMetricsScraper.MetricsUri("127.0.0.1", FreePort.Next()), CancellationToken.None);
        Assert.False(scrape.Succeeded);
        Assert.Contains("failed", scrape.Error);
    }

    [Fact]
    public void MetricsUri_IsThePodsPort8080()
    {
        Assert.Equal("http://10.1.2.3:8080/metrics", PodMetricsScraper.MetricsUri("10.1.2.3").ToString());
        Assert.Equal("http://[fd00::1]:8080/metrics", PodMetricsScraper.MetricsUri("fd00::1").ToString());
    }

    private static PodMetricsScraper Scraper() => new(new HttpClient(), TimeProvider.System, TimeSpan.FromSeconds(30)); // generous: the machine running tests may be busy
}
