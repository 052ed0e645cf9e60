using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>
/// A stand-in for a runtime pod's /metrics on its own loopback IP and port 8080 (where the operator scrapes
/// <c>podIP:8080</c>), whose request counter and latency histogram the test drives.
/// </summary>
internal sealed class FakeRuntimePod : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private long _requests;
    private readonly SortedDictionary<double, long> _buckets = new() { [0.01] = 0, [0.1] = 0, [1] = 0, [double.PositiveInfinity] = 0 };

    private FakeRuntimePod(string ip, WebApplication app) => (Ip, _app) = (ip, app);

    public string Ip { get; }

    public static async Task<FakeRuntimePod> StartAsync()
    {
        // A random address in 127.0.0.0/8 so parallel tests (and other helpers' pods) do not share port 8080.
        var ip = $"127.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(2, 250)}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{ip}:8080");
        var app = builder.Build();
        var pod = new FakeRuntimePod(ip, app);
        app.MapGet("/metrics", pod.Exposition);
        await app.StartAsync();
        return pod;
    }

    /// <summary>Counts <paramref name="count"/> successful requests that each took <paramref name="seconds"/>.</summary>
    public void Serve(int count, double seconds)
    {
        lock (_gate)
        {
            _requests += count;
            foreach (var bound in _buckets.Keys.ToList()) if (seconds <= bound) _buckets[bound] += count;
        }
    }

    /// <summary>
    /// While set, every scrape first counts ten requests of this many seconds: load that keeps pace with the scrapes
    /// however busy the test machine is, so a window never looks idle by accident.
    /// </summary>
    public double? BusyWithRequestsOfSeconds { get; set; }

    public async Task StopAsync() => await _app.StopAsync();

    private string Exposition()
    {
        if (BusyWithRequestsOfSeconds is { } seconds) Serve(10, seconds);
        var text = new StringBuilder();
        lock (_gate)
        {
            text.Append("# TYPE modelruntime_requests_total counter\n");
            text.Append(CultureInfo.InvariantCulture, $"modelruntime_requests_total{{model=\"m\",outcome=\"success\"}} {_requests}\n");
            text.Append("# TYPE modelruntime_request_duration_seconds histogram\n");
            foreach (var (bound, count) in _buckets)
            {
                var le = double.IsPositiveInfinity(bound) ? "+Inf" : bound.ToString(CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture, $"modelruntime_request_duration_seconds_bucket{{model=\"m\",outcome=\"success\",le=\"{le}\"}} {count}\n");
            }
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
