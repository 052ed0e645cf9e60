namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// Reads a runtime pod's <c>/metrics</c> over HTTP with a short timeout. Never throws for the pod's sake: a refused
/// connection, a timeout, a non-200 answer or an unparseable body come back as a failed <see cref="PodScrape"/>.
/// </summary>
public sealed class PodMetricsScraper(HttpClient http, TimeProvider clock, TimeSpan? timeout = null)
{
    /// <summary>How long one scrape may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; } = timeout ?? TimeSpan.FromSeconds(2);

    /// <summary>The metrics address of a pod: <c>http://podIP:8080/metrics</c>.</summary>
    public static Uri MetricsUri(string podIp, int port = RuntimeMetricNames.Port) =>
        new($"http://{(podIp.Contains(':') ? $"[{podIp}]" : podIp)}:{port}/metrics");

    /// <summary>Scrapes <paramref name="metricsUri"/> on behalf of <paramref name="pod"/>.</summary>
    public async Task<PodScrape> ScrapeAsync(string pod, Uri metricsUri, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            using var response = await http.GetAsync(metricsUri, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            var at = clock.GetUtcNow();
            if (!response.IsSuccessStatusCode)
                return PodScrape.Failed(pod, at, $"GET {metricsUri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            return PodScrape.Ok(pod, at, PrometheusTextParser.Parse(body));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PodScrape.Failed(pod, clock.GetUtcNow(), $"GET {metricsUri} timed out after {Timeout.TotalSeconds:0.###}s");
        }
        catch (HttpRequestException e)
        {
            return PodScrape.Failed(pod, clock.GetUtcNow(), $"GET {metricsUri} failed: {e.Message}");
        }
        catch (FormatException e)
        {
            return PodScrape.Failed(pod, clock.GetUtcNow(), $"GET {metricsUri} answered an unparseable exposition: {e.Message}");
        }
    }
}
