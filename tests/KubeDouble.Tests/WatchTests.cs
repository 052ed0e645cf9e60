using System.Net;
// The ListXxxWithHttpMessagesAsync(watch: true).Watch/WatchAsync forms are obsolete in KubernetesClient 21 but are what
// many operators (ours included) use, so the double is tested through both them and the WatchListXxx forms.
#pragma warning disable CS0618
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class WatchTests
{
    private static async Task<List<(WatchEventType Type, V1ConfigMap Object)>> CollectAsync(
        IAsyncEnumerable<(WatchEventType, V1ConfigMap)> events, int count, string what)
    {
        var seen = new List<(WatchEventType, V1ConfigMap)>();
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        try
        {
            await foreach (var e in events.WithCancellation(cts.Token))
            {
                seen.Add(e);
                if (seen.Count == count) break;
            }
        }
        catch (OperationCanceledException) { }
        if (seen.Count < count)
            throw new TimeoutException($"Timed out waiting for {what}: got {seen.Count} of {count} events ({string.Join(", ", seen.Select(s => $"{s.Item1} {s.Item2.Metadata?.Name}"))})");
        return seen;
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithAddedForWhatExists_ThenStreamsChanges()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("existing"), "default");
        var response = cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true);
        var events = response.WatchAsync<V1ConfigMap, V1ConfigMapList>();
        var collecting = CollectAsync(events, 3, "ADDED existing, ADDED later, DELETED later");

        await Eventually.TrueAsync(() => cluster.Server.Requests.Where("watch", "configmaps").Count > 0, "the watch to be open");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("later"), "default");
        await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("later", "default");

        var seen = await collecting;
        Assert.Equal([(WatchEventType.Added, "existing"), (WatchEventType.Added, "later"), (WatchEventType.Deleted, "later")],
            seen.Select(s => (s.Type, s.Object.Metadata.Name)));
    }

    [Fact]
    public async Task Watch_FromAResourceVersion_ReplaysEveryLaterEventInOrder()
    {
        await using var cluster = await TestCluster.StartAsync();
        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a"), "default");
        var a = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("a", "default");
        a.Data["key"] = "changed";
        await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", "default");
        await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default");

        var response = cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true, resourceVersion: list.Metadata.ResourceVersion);
        var seen = await CollectAsync(response.WatchAsync<V1ConfigMap, V1ConfigMapList>(), 3, "the replayed ADDED, MODIFIED, DELETED");

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen.Select(s => s.Type));
        Assert.Equal("changed", seen[1].Object.Data["key"]);
        var versions = seen.Select(s => long.Parse(s.Object.Metadata.ResourceVersion)).ToList();
        Assert.Equal(versions.Order(), versions);
    }

    [Fact]
    public async Task Watch_FromAResourceVersionOutsideTheWindow_GetsA410ExpiredErrorEvent()
    {
        await using var cluster = await TestCluster.StartAsync(new KubeApiServerOptions { WatchHistorySize = 2 });
        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default");
        foreach (var name in new[] { "a", "b", "c" })
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap(name), "default");

        using var response = await cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true, resourceVersion: list.Metadata.ResourceVersion);
        var error = new TaskCompletionSource<V1Status>();
        using var watcher = response.Watch<V1ConfigMap, V1ConfigMapList>((_, _) => { }, onError: e =>
        {
            if (e is KubernetesException k) error.TrySetResult(k.Status);
        });

        var status = await Eventually.WithinAsync(error.Task, "an ERROR event with a Status");
        Assert.Equal((410, "Expired"), (status.Code, status.Reason));
    }

    [Fact]
    public async Task Watch_WithALabelSelector_SeesObjectsEnterAsAddedAndLeaveAsDeleted()
    {
        await using var cluster = await TestCluster.StartAsync();
        var response = cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true, labelSelector: "tier=web");
        var collecting = CollectAsync(response.WatchAsync<V1ConfigMap, V1ConfigMapList>(), 3, "ADDED, MODIFIED, DELETED by label transitions");
        await Eventually.TrueAsync(() => cluster.Server.Requests.Where("watch", "configmaps").Count > 0, "the watch to be open");

        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("other", new Dictionary<string, string> { ["tier"] = "db" }), "default");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"tier":"web"}}}""", V1Patch.PatchType.MergePatch), "other", "default");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"key":"x"}}""", V1Patch.PatchType.MergePatch), "other", "default");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"tier":"db"}}}""", V1Patch.PatchType.MergePatch), "other", "default");

        var seen = await collecting;
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen.Select(s => s.Type));
        Assert.Equal("db", seen[2].Object.Metadata.Labels["tier"]);
    }

    [Fact]
    public async Task Watch_WithTimeoutSeconds_EndsTheStream()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a"), "default");
        var events = cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true, timeoutSeconds: 1)
            .WatchAsync<V1ConfigMap, V1ConfigMapList>();

        var drained = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var _ in events) count++;
            return count;
        });

        Assert.Equal(1, await Eventually.WithinAsync(drained, "the watch to end by itself after timeoutSeconds=1"));
    }

    [Fact]
    public async Task Watch_WithBookmarks_SendsBookmarksCarryingTheCurrentResourceVersion()
    {
        await using var cluster = await TestCluster.StartAsync(new KubeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a"), "default");
        var bookmark = new TaskCompletionSource<V1ConfigMap>();

        using var response = await cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true, allowWatchBookmarks: true);
        using var watcher = response.Watch<V1ConfigMap, V1ConfigMapList>((type, item) =>
        {
            if (type == WatchEventType.Bookmark) bookmark.TrySetResult(item);
        });

        var seen = await Eventually.WithinAsync(bookmark.Task, "a BOOKMARK event");
        Assert.Equal(cluster.Server.Store.CurrentRevision.ToString(), seen.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task WatchListApi_OfKubernetesClient21_ReceivesEvents()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a"), "default");

        var seen = await CollectAsync(cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("default"), 1, "ADDED a");

        Assert.Equal((WatchEventType.Added, "a"), (seen[0].Type, seen[0].Object.Metadata.Name));
    }

    [Fact]
    public async Task StreamingList_SendsTheCurrentStateThenAnInitialEventsEndBookmark()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a"), "default");
        using var http = new HttpClient { BaseAddress = cluster.Server.BaseAddress };
        using var response = await http.GetAsync(
            "api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = System.Text.Json.Nodes.JsonNode.Parse((await Eventually.WithinAsync(reader.ReadLineAsync(), "the first event"))!)!;
        var second = System.Text.Json.Nodes.JsonNode.Parse((await Eventually.WithinAsync(reader.ReadLineAsync(), "the bookmark"))!)!;

        Assert.Equal(("ADDED", "a"), (first["type"]!.ToString(), first["object"]!["metadata"]!["name"]!.ToString()));
        Assert.Equal("BOOKMARK", second["type"]!.ToString());
        Assert.Equal("true", second["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.ToString());
    }

    private sealed class Widget : k8s.IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "";
        public string Kind { get; set; } = "";
        public V1ObjectMeta Metadata { get; set; } = new();
        public Dictionary<string, object>? Spec { get; set; }
    }

    [Fact]
    public async Task CustomObjectWatch_ThroughTheGenericApi_DeliversTypedEvents()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));
        var response = cluster.Client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
            SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, watch: true, allowWatchBookmarks: false);
        var events = response.WatchAsync<Widget, object>();

        var collected = Task.Run(async () =>
        {
            var seen = new List<(WatchEventType, string)>();
            await foreach (var (type, item) in events)
            {
                seen.Add((type, item.Metadata.Name));
                if (seen.Count == 2) break;
            }
            return seen;
        });
        await Eventually.TrueAsync(() => cluster.Server.Requests.Where("watch", SampleCrd.Plural).Count > 0, "the widget watch to be open");
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1");

        Assert.Equal([(WatchEventType.Added, "w1"), (WatchEventType.Deleted, "w1")], await Eventually.WithinAsync(collected, "ADDED then DELETED of w1"));
    }
}
