using System.Collections.Concurrent;
using System.Text;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Real HTTP inference load through a Service's cluster IP: a few workers sending one MNIST image each, back to back,
/// until disposed. Counts every answer; anything but 200 (or no answer) is a failed request, kept with its reason, and so
/// is a 200 whose body <c>answerCheck</c> refuses (it returns why, or null for a right answer).
/// </summary>
internal sealed class ServiceLoad : IAsyncDisposable
{
    private static readonly string Body = BuildBody();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Task[] _workers;
    private long _ok, _failed;

    private readonly Func<string, string?>? _answerCheck;

    public ServiceLoad(Uri inferUri, int workers = 2, Func<string, string?>? answerCheck = null)
    {
        _answerCheck = answerCheck;
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => RunAsync(inferUri))).ToArray();
    }

    public long Ok => Interlocked.Read(ref _ok);
    public long Failed => Interlocked.Read(ref _failed);
    public ConcurrentQueue<string> Failures { get; } = new();

    private async Task RunAsync(Uri uri)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var content = new StringContent(Body, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(uri, content, _stop.Token);
                if (response.IsSuccessStatusCode && _answerCheck is not null && _answerCheck(await response.Content.ReadAsStringAsync()) is { } wrong)
                    Fail($"{DateTime.UtcNow:HH:mm:ss.fff} wrong answer: {wrong}");
                else if (response.IsSuccessStatusCode) Interlocked.Increment(ref _ok);
                else Fail($"{DateTime.UtcNow:HH:mm:ss.fff} HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { Fail($"{DateTime.UtcNow:HH:mm:ss.fff} {e.GetType().Name}: {e.Message}"); }
        }
    }

    private void Fail(string why)
    {
        Interlocked.Increment(ref _failed);
        if (Failures.Count < 20) Failures.Enqueue(why);
    }

    /// <summary>The request every worker sends, for asking for the expected answer once.</summary>
    public static string RequestBody => Body;

    private static string BuildBody()
    {
        var pixels = string.Join(",", Enumerable.Range(0, 28 * 28).Select(i => (i % 7 / 7.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        return $$"""{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":[{{pixels}}]}]}""";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _http.Dispose();
        _stop.Dispose();
    }
}
