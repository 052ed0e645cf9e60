using System.Threading.Channels;
using k8s;

namespace ModelOperator.DevCluster.Api;

/// <summary>
/// Watches collections of the cluster's API and signals that something changed, for level-triggered loops that
/// list what they need afresh on each pass. A broken watch reconnects (its initial events signal again), so a
/// missed event costs at most one extra pass, never a lost change.
/// </summary>
internal sealed class ApiChanges
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Starts watching each collection path (e.g. <c>api/v1/pods</c>) until <paramref name="ct"/> is cancelled.</summary>
    public ApiChanges(IKubernetes client, IEnumerable<string> paths, CancellationToken ct)
    {
        var api = (Kubernetes)client;
        var http = new HttpClient { BaseAddress = api.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        Watches = Task.WhenAll(paths.Select(p => WatchAsync(http, p, ct)));
        Signal();
    }

    /// <summary>The running watches; they end when the token is cancelled.</summary>
    public Task Watches { get; }

    /// <summary>Asks for another pass (a timer, or a component's own follow-up).</summary>
    public void Signal() => _signal.Writer.TryWrite(true);

    /// <summary>Waits until something changed or <paramref name="resync"/> passed.</summary>
    public async Task WaitAsync(TimeSpan resync, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(resync);
        try { await _signal.Reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }

    private async Task WatchAsync(HttpClient http, string path, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(path + "?watch=true&allowWatchBookmarks=false", HttpCompletionOption.ResponseHeadersRead, ct);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                while (await reader.ReadLineAsync(ct) is { } line)
                    if (line.Length > 0) Signal();
            }
            catch (Exception) when (!ct.IsCancellationRequested) { }
            try { await Task.Delay(TimeSpan.FromMilliseconds(200), ct); } catch (OperationCanceledException) { }
        }
    }
}
