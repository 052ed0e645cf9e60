using System.Diagnostics;
using System.Net;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>One HTTP request body to send over and over, with its headers.</summary>
internal sealed record LoadRequest(string Path, byte[] Body, string ContentType, int? InferenceHeaderLength = null);

/// <summary>What a load run measured: completed requests per second, failures, and latency percentiles.</summary>
internal sealed record LoadResult(double RequestsPerSecond, long Completed, long Failed, double P50Ms, double P99Ms, string? FirstError);

/// <summary>
/// A closed-loop HTTP load generator: N clients, each sending the next request as soon as the last one is answered,
/// over kept-alive connections, for a fixed time after a warm-up. In-repo so that <c>make bench</c> needs nothing else.
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
        var measuring = false;
        var stop = false;
        long completed = 0, failed = 0;
        string? firstError = null;
        var latencies = new List<double>[clients];

        async Task ClientAsync(int index)
        {
            var mine = latencies[index] = new List<double>(4096);
            while (!Volatile.Read(ref stop) && !cancellationToken.IsCancellationRequested)
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(request.Body) };
                message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(request.ContentType);
                if (request.InferenceHeaderLength is { } n) message.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", n.ToString());
                var started = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    if (response.StatusCode != HttpStatusCode.OK)
                        error = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                }
                catch (HttpRequestException e) { error = e.Message; }
                if (!Volatile.Read(ref measuring)) continue;
                if (error is null)
                {
                    Interlocked.Increment(ref completed);
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        }

        var tasks = Enumerable.Range(0, clients).Select(i => Task.Run(() => ClientAsync(i), cancellationToken)).ToArray();
        await Task.Delay(warmup, cancellationToken);
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(duration, cancellationToken);
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var done = Interlocked.Read(ref completed);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        var sorted = latencies.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
        return new LoadResult(done / elapsed, done, Interlocked.Read(ref failed),
            sorted.Length == 0 ? 0 : ModelBenchmark.Percentile(sorted, 0.50), sorted.Length == 0 ? 0 : ModelBenchmark.Percentile(sorted, 0.99), firstError);
    }
}
