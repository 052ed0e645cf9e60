namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// Asks a Prometheus server's HTTP API for one instant value. Never throws for the server's sake: a refused
/// connection, a timeout or a non-JSON answer come back as an error <see cref="PrometheusAnswer"/>.
/// </summary>
public sealed class PrometheusClient(HttpClient http, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="query"/> at <c>{baseUrl}/api/v1/query</c>.</summary>
    public async Task<PrometheusAnswer> QueryAsync(string baseUrl, string query, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{baseUrl.TrimEnd('/')}/api/v1/query?query={Uri.EscapeDataString(query)}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var response = await http.GetAsync(uri, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            // Prometheus answers query errors with 400/422 and a JSON error body, which Parse reports in its words.
            if (!response.IsSuccessStatusCode && !body.TrimStart().StartsWith('{'))
                return new PrometheusAnswer(null, $"Prometheus at {baseUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            return PrometheusAnswer.Parse(body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PrometheusAnswer(null, $"Prometheus at {baseUrl} did not answer within {_timeout.TotalSeconds:0.#}s");
        }
        catch (HttpRequestException e)
        {
            return new PrometheusAnswer(null, $"Prometheus at {baseUrl} could not be reached: {e.Message}");
        }
    }
}
