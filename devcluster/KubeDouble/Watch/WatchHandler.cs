using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Selectors;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Watch;

/// <summary>
/// WATCH: newline-delimited events flushed one by one. Without a resourceVersion (or "0") it starts with ADDED for
/// what exists; with one it replays every later event from the history, or answers ERROR 410 Expired when that
/// revision left the window. Objects entering or leaving the selector show as ADDED or DELETED. Bookmarks and
/// timeoutSeconds as the real server has them; injected faults can end or expire the stream.
/// </summary>
internal sealed class WatchHandler(ApiContext api)
{
    public async Task HandleAsync(ApiRequest request)
    {
        var type = request.Type;
        var filter = ListHandler.Filter(request);
        if (request.Name is not null) filter = filter with { Fields = FieldSelector.Parse(JoinSelector(request.Query("fieldSelector"), $"metadata.name={request.Name}")) };
        var http = request.Http;
        var rvText = request.Query("resourceVersion");
        long? from = null;
        if (rvText is { Length: > 0 } && rvText != "0")
            from = long.TryParse(rvText, out var rv) ? rv : throw ApiException.BadRequest($"invalid resource version \"{rvText}\"");
        var bookmarks = request.QueryFlag("allowWatchBookmarks");
        // Streaming lists (sendInitialEvents=true): the current state as ADDED, then a bookmark marking its end.
        var sendInitial = request.QueryFlag("sendInitialEvents");
        if (sendInitial && (!bookmarks || request.Query("resourceVersionMatch") != "NotOlderThan"))
            throw ApiException.Invalid("WatchOptions", "", "", [FieldCause.Forbidden("sendInitialEvents",
                "Forbidden: sendInitialEvents is allowed with allowWatchBookmarks=true and resourceVersionMatch=NotOlderThan only")]);
        if (sendInitial) from = null;
        var timeout = int.TryParse(request.Query("timeoutSeconds"), out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var table = api.Tables.Wanted(http);

        List<(string Type, JsonObject Object)> initial = [];
        WatchSubscription? subscription = null;
        var expired = api.Faults.TakeExpire(type.Plural);
        long snapshotRevision;
        lock (api.Store.Sync)
        {
            snapshotRevision = api.Store.Revision;
            if (from is { } start && start < api.Store.History.CompactedRevision) expired = true;
            if (!expired)
            {
                if (from is null)
                    initial.AddRange(api.Store.ReadAll(type.StorageKey, request.Namespace).Where(filter.Matches).Select(o => ("ADDED", o)));
                else
                    foreach (var e in api.Store.History.Since(type.StorageKey, from.Value))
                        if (Translate(e, filter) is { } t) initial.Add(t);
                subscription = api.Store.History.Subscribe(type.StorageKey);
            }
        }

        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-cache, private";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, api.Stopping);
        if (timeout is { } t2) cts.CancelAfter(t2);
        if (expired)
        {
            var status = StatusBody.Failure(410, "Expired", $"too old resource version: {rvText} ({api.Store.History.CompactedRevision})");
            await WriteEventAsync(http, "ERROR", status, CancellationToken.None);
            return;
        }
        var dropAfter = api.Faults.DropAfter(type.Plural);
        var sent = 0;
        var lastRevision = from ?? snapshotRevision;
        try
        {
            await http.Response.StartAsync(cts.Token);
            await http.Response.Body.FlushAsync(cts.Token);
            foreach (var (eventType, obj) in initial)
            {
                if (dropAfter is { } limit && sent >= limit) return;
                await WriteEventAsync(http, eventType, View(request, obj, table), cts.Token);
                sent++;
                lastRevision = Math.Max(lastRevision, long.Parse(ObjectMeta.Str(obj, "resourceVersion") ?? "0"));
            }
            if (sendInitial)
            {
                var end = Bookmark(type, lastRevision);
                ObjectMeta.Of(end)["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
                await WriteEventAsync(http, "BOOKMARK", end, cts.Token);
            }
            var reader = subscription!.Reader;
            var bookmarkEvery = api.Options.BookmarkInterval;
            while (!cts.IsCancellationRequested)
            {
                if (dropAfter is { } limit && sent >= limit) return;
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                if (bookmarks) wait.CancelAfter(bookmarkEvery);
                WatchEvent e;
                try
                {
                    e = await reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cts.IsCancellationRequested)
                {
                    lastRevision = Math.Max(lastRevision, api.Store.CurrentRevision);
                    await WriteEventAsync(http, "BOOKMARK", Bookmark(type, lastRevision), cts.Token);
                    continue;
                }
                if (from is { } f && e.Revision <= f) continue;
                lastRevision = e.Revision;
                if (Translate(e, filter) is not { } translated) continue;
                await WriteEventAsync(http, translated.Type, View(request, translated.Object, table), cts.Token);
                sent++;
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (System.Threading.Channels.ChannelClosedException) { }
        finally
        {
            subscription?.Unsubscribe(api.Store.Sync);
        }
    }

    private static string JoinSelector(string existing, string extra) => existing.Length == 0 ? extra : existing + "," + extra;

    private JsonObject View(ApiRequest request, JsonObject obj, bool table) =>
        table ? api.Tables.ToTable(request.Type, [ObjectView.At(request.Type, obj)], ObjectMeta.Str(obj, "resourceVersion"), request.Http, forWatch: true)
              : ObjectView.At(request.Type, obj);

    /// <summary>The event a watcher with this filter sees for a committed change, if any.</summary>
    private static (string Type, JsonObject Object)? Translate(WatchEvent e, ObjectFilter filter)
    {
        var now = e.Type != "DELETED" && filter.Matches(e.Object);
        var before = e.Previous is not null && filter.Matches(e.Previous);
        return e.Type switch
        {
            "ADDED" when now => ("ADDED", e.Object),
            "MODIFIED" when now && before => ("MODIFIED", e.Object),
            "MODIFIED" when now => ("ADDED", e.Object),
            "MODIFIED" when before => ("DELETED", e.Object),
            "DELETED" when before => ("DELETED", e.Object),
            _ => null,
        };
    }

    private static JsonObject Bookmark(ResourceType type, long revision) => new()
    {
        ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString() },
    };

    private static async Task WriteEventAsync(HttpContext http, string type, JsonObject obj, CancellationToken ct)
    {
        JsonText.WriteEvent(http.Response.BodyWriter, type, obj);
        await http.Response.BodyWriter.FlushAsync(ct);
    }
}
