using System.Net;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>One HTTP request body to send over and over, with its headers.</summary>
internal sealed record LoadRequest(string Path, byte[] Body, string ContentType, int? InferenceHeaderLength = null);

/// <summary>What a load run measured: completed requests per second, failures, and latency percentiles.</summary>
internal sealed record LoadResult(double RequestsPerSecond, long Completed, long Failed, double P50Ms, double P99Ms, string? FirstError);

/// <summary>
/// A closed-loop HTTP load generator (<see cref="ClosedLoopLoad"/>) over kept-alive connections. In-repo so that
/// <c>make bench</c> needs nothing else.
/// </summary>
internal sealed class HttpLoadGenerator(Uri baseAddress)
{
    public async Task<LoadResult> RunAsync(LoadRequest request, int clients, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var uri = new Uri(baseAddress, request.Path);

        async Task<string?> SendAsync(CancellationToken token)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(request.Body) };
            message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(request.ContentType);
            if (request.InferenceHeaderLength is { } n) message.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", n.ToString());
            try
            {
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, token);
                await response.Content.LoadIntoBufferAsync(token);
                return response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}";
            }
            catch (HttpRequestException e) { return e.Message; }
        }

        return await ClosedLoopLoad.RunAsync(SendAsync, clients, warmup, duration, cancellationToken);
    }
}
