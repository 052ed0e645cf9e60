using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Closed-loop load through a Service's cluster IP: <c>clients</c> callers each send the next infer request when the
/// last one answered, until stopped. Counts answers and failures (a non-2xx status or a transport error), with the
/// first failures kept so a test can say what failed.
/// </summary>
internal sealed class InferenceLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<Task> _callers = [];
    private readonly ConcurrentQueue<string> _failures = new();
    private long _succeeded, _failed;

    private InferenceLoad() { }

    public long Succeeded => Interlocked.Read(ref _succeeded);
    public long Failed => Interlocked.Read(ref _failed);
    public IReadOnlyList<string> FirstFailures => _failures.Take(5).ToList();
    public Stopwatch Elapsed { get; } = Stopwatch.StartNew();

    /// <summary>
    /// A warm model's answer and p95: one request, then 40 sent one after another to <paramref name="inferUrl"/>, each
    /// of which must answer 200. The answer is what every later one (held at zero, say) must equal.
    /// </summary>
    public static async Task<(string Body, double P95Ms)> WarmP95Async(Uri inferUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        async Task<(System.Net.HttpStatusCode Status, string Body)> PostAsync()
        {
            using var response = await http.PostAsync(inferUrl, new StringContent(Body, Encoding.UTF8, "application/json"));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var first = await PostAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, first.Status);
        var latencies = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await PostAsync()).Status);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();
        return (first.Body, latencies[(int)Math.Ceiling(0.95 * latencies.Count) - 1]);
    }

    /// <summary>Starts <paramref name="clients"/> callers of <c>POST {service}v2/models/{model}/infer</c> with one deep-mlp row.</summary>
    public static InferenceLoad Start(Uri service, string model, int clients)
    {
        var load = new InferenceLoad();
        var url = new Uri(service, $"v2/models/{model}/infer");
        var body = Body;
        for (var i = 0; i < clients; i++) load._callers.Add(Task.Run(() => load.CallAsync(url, body)));
        return load;
    }

    /// <summary>One deep-mlp row (features FP32 [1,16]).</summary>
    public const string Body = """{"inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6]}]}""";

    private async Task CallAsync(Uri url, string body)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"), _stop.Token);
                if (response.IsSuccessStatusCode) Interlocked.Increment(ref _succeeded);
                else Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
            catch (Exception e) { Fail(e.GetType().Name + ": " + e.Message); }
        }
    }

    private void Fail(string what)
    {
        Interlocked.Increment(ref _failed);
        if (_failures.Count < 20) _failures.Enqueue(what);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}
