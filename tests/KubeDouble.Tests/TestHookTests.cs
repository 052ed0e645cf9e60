using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ModelOperator.KubeDouble.Faults;

namespace ModelOperator.KubeDouble.Tests;

// Uses the obsolete-in-21 watch form on purpose: it is what the operator uses.
#pragma warning disable CS0618
public sealed class TestHookTests
{
    [Fact]
    public async Task RequestLog_RecordsVerbResourceStatusAndFieldManager()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Server.Requests.Clear();

        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default", fieldManager: "op");
        await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("none", "default"));
        await cluster.Client.AppsV1.ListNamespacedDeploymentAsync("default");

        var log = cluster.Server.Requests.All();
        Assert.Equal([("create", 201, "op"), ("get", 200, null), ("get", 404, null), ("list", 200, null)],
            log.Select(r => (r.Verb, r.StatusCode, r.FieldManager)));
        Assert.All(log, r => Assert.Equal(("apps", "v1", "deployments", "default"), (r.Group, r.Version, r.Resource, r.Namespace)));
        Assert.Single(cluster.Server.Requests.Writes());
    }

    [Fact]
    public async Task InjectedFault_AnswersWithItsStatusForTheGivenNumberOfTimes()
    {
        await using var cluster = await TestCluster.StartAsync();
        var created = await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");
        cluster.Server.Faults.Add(new FaultRule { Verb = "update", Resource = "deployments", StatusCode = 409, Times = 2 });

        var first = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "web", "default"));
        var second = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "web", "default"));
        created.Spec.Replicas = 4;
        var third = await cluster.Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "web", "default");

        Assert.Equal(HttpStatusCode.Conflict, first.Response.StatusCode);
        Assert.Equal("Conflict", KubernetesJson.Deserialize<V1Status>(second.Response.Content).Reason);
        Assert.Equal(4, third.Spec.Replicas);
    }

    [Fact]
    public async Task InjectedLatency_DelaysTheAnswer()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Server.Faults.Add(new FaultRule { Verb = "list", Resource = "configmaps", Latency = TimeSpan.FromMilliseconds(400) });
        var started = DateTime.UtcNow;

        await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default");

        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(380));
    }

    [Fact]
    public async Task InjectedServerError_IsAStatus500()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Server.Faults.Add(new FaultRule { Verb = "get", Resource = "configmaps", StatusCode = 500 });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("x", "default"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.Response.StatusCode);
        Assert.Equal("InternalError", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Reason);
    }

    [Fact]
    public async Task DroppedWatch_EndsAfterTheGivenNumberOfEvents()
    {
        await using var cluster = await TestCluster.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap(name), "default");
        cluster.Server.Faults.DropWatches("configmaps", afterEvents: 2);

        var events = cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true).WatchAsync<V1ConfigMap, V1ConfigMapList>();
        var drained = Task.Run(async () =>
        {
            var names = new List<string>();
            await foreach (var (_, item) in events) names.Add(item.Metadata.Name);
            return names;
        });

        Assert.Equal(["a", "b"], await Eventually.WithinAsync(drained, "the dropped watch to end"));
    }

    [Fact]
    public async Task ExpiredWatch_AnswersTheNextWatchWith410()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Server.Faults.ExpireWatches("configmaps");
        var error = new TaskCompletionSource<V1Status>();

        using var response = await cluster.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true);
        using var watcher = response.Watch<V1ConfigMap, V1ConfigMapList>((_, _) => { }, onError: e =>
        {
            if (e is KubernetesException k) error.TrySetResult(k.Status);
        });

        Assert.Equal(410, (await Eventually.WithinAsync(error.Task, "the ERROR 410 event")).Code);
    }
}
