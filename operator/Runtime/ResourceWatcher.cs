using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ModelOperator.Operator.Runtime;

/// <summary>
/// Lists then watches one resource type into an <see cref="ObjectCache{T}"/>. A watch that ends resumes from the last
/// resourceVersion (bookmarks included); 410 Gone, as a response or as an ERROR event, relists and reports objects
/// that vanished meanwhile as deleted; every other Status error is logged with its reason and retried with backoff.
/// With <paramref name="namespaceScope"/> the watcher lists one namespace, and a relist removes only that namespace's
/// objects from a cache other namespaces' watchers share.
/// </summary>
internal sealed class ResourceWatcher<T>(
    KubeHttp http, string collectionPath, string? labelSelector, ObjectCache<T> cache,
    Action<WatchEventType, T> onEvent, ILogger logger, OperatorMetrics metrics, TimeSpan watchTimeout, string? namespaceScope = null)
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ExponentialBackoff<string> _backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task Synced => _synced.Task;

    public async Task RunAsync(CancellationToken ct)
    {
        string? resourceVersion = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await RelistAsync(ct).ConfigureAwait(false);
                var started = Stopwatch.StartNew();
                var (rv, events) = await WatchAsync(resourceVersion, ct).ConfigureAwait(false);
                resourceVersion = rv;
                // A watch the server closes at once with nothing in it must not spin.
                if (events == 0 && started.Elapsed < TimeSpan.FromSeconds(1)) await Task.Delay(_backoff.Next("empty"), ct).ConfigureAwait(false);
                else _backoff.Forget("empty");
                _backoff.Forget("error");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (KubeHttp.IsGone(e))
            {
                logger.LogInformation("Watch expired, relisting {Resource}: {Reason}", collectionPath, e.Message);
                metrics.WatchRestarts.WithLabels(typeof(T).Name, "gone").Inc();
                resourceVersion = null;
            }
            catch (Exception e)
            {
                var delay = _backoff.Next("error");
                logger.LogWarning("Watch of {Resource} failed, retrying in {DelayMs} ms: {Error}", collectionPath, delay.TotalMilliseconds, e.Message);
                metrics.WatchRestarts.WithLabels(typeof(T).Name, "error").Inc();
                try { await Task.Delay(delay, ct).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task<string> RelistAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync(collectionPath + Query(null, watch: false), $"list {collectionPath}", ct).ConfigureAwait(false);
        var list = KubernetesJson.Deserialize<ListOf>(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        var listVersion = list.Metadata?.ResourceVersion;
        var seen = new HashSet<string>();
        foreach (var item in list.Items)
        {
            seen.Add(ObjectCache<T>.KeyOf(item));
            Store(item);
        }
        foreach (var key in cache.Keys.Where(k => !seen.Contains(k) && (namespaceScope is null || k.StartsWith(namespaceScope + "/", StringComparison.Ordinal))))
        {
            if (cache.Get(key) is not { } gone) continue;
            if (ResourceVersions.IsNewer(gone.Metadata.ResourceVersion, listVersion)) continue; // written after the list was taken
            cache.Remove(gone);
            onEvent(WatchEventType.Deleted, gone);
        }
        _synced.TrySetResult();
        return listVersion ?? "";
    }

    private async Task<(string ResourceVersion, int Events)> WatchAsync(string resourceVersion, CancellationToken ct)
    {
        using var response = await http.GetAsync(collectionPath + Query(resourceVersion, watch: true), $"watch {collectionPath}", ct).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
        var events = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var type = doc.RootElement.GetProperty("type").GetString();
            var raw = doc.RootElement.GetProperty("object");
            if (type == "ERROR")
            {
                var status = KubernetesJson.Deserialize<V1Status>(raw.GetRawText());
                throw new KubeApiException((System.Net.HttpStatusCode)(status.Code ?? 500), status, $"watch {collectionPath}");
            }
            // Read from the parsed event directly: every watched change passes here.
            var item = raw.Deserialize<T>(Reconcile.KubernetesJsonOptions.Instance)
                ?? throw new JsonException($"watch {collectionPath} sent a {type} event without an object");
            resourceVersion = item.Metadata?.ResourceVersion ?? resourceVersion;
            events++;
            switch (type)
            {
                case "BOOKMARK": continue;
                case "DELETED": cache.Remove(item); onEvent(WatchEventType.Deleted, item); break;
                default: Store(item); break;
            }
        }
        return (resourceVersion, events);
    }

    // An object the cache already holds at this resourceVersion is the echo of the operator's own write (written
    // through to the cache) or unchanged across a relist: reconciling it again would find nothing to do. An older
    // copy (a list taken, or a watch event sent, before that write) does not roll the cache back (see Upsert), or the
    // next reconcile would repeat the write.
    private void Store(T item)
    {
        var existing = cache.Get(ObjectCache<T>.KeyOf(item));
        if (existing is not null && existing.Metadata.ResourceVersion == item.Metadata.ResourceVersion) return;
        if (!cache.Upsert(item)) return;
        onEvent(existing is null ? WatchEventType.Added : WatchEventType.Modified, item);
    }

    private string Query(string? resourceVersion, bool watch)
    {
        var q = new List<string>();
        if (labelSelector is not null) q.Add("labelSelector=" + Uri.EscapeDataString(labelSelector));
        if (watch)
        {
            q.Add("watch=true");
            q.Add("allowWatchBookmarks=true");
            q.Add("resourceVersion=" + Uri.EscapeDataString(resourceVersion ?? ""));
            q.Add("timeoutSeconds=" + (int)watchTimeout.TotalSeconds);
        }
        return q.Count == 0 ? "" : "?" + string.Join('&', q);
    }

    private sealed class ListOf
    {
        [System.Text.Json.Serialization.JsonPropertyName("metadata")] public V1ListMeta? Metadata { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("items")] public List<T> Items { get; set; } = [];
    }
}
