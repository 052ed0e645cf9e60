using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class CustomResourceTests
{
    [Fact]
    public async Task CreatedCrd_IsEstablished_AndItsResourceIsServed()
    {
        await using var cluster = await TestCluster.StartAsync();

        await SampleCrd.InstallAsync(cluster.Client);
        var created = await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));

        var crd = await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.com");
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
        Assert.Equal("Widget", created["kind"]!.ToString());
        Assert.Equal(1, (long)created["metadata"]!["generation"]!);
        var list = SampleCrd.Json(await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync(SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural));
        Assert.Equal("w1", list["items"]![0]!["metadata"]!["name"]!.ToString());
        Assert.Equal("WidgetList", list["kind"]!.ToString());
    }

    [Fact]
    public async Task CustomResource_BeforeItsCrdExists_Is404()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1")));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    [Fact]
    public async Task DeletingTheCrd_DeletesItsCustomResources_ThenStopsServingThem()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));

        await cluster.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.example.com");

        await Eventually.TrueAsync(() => cluster.Server.Store.Get("apiextensions.k8s.io", null, "customresourcedefinitions", null, "widgets.example.com") is null,
            "the CRD to be removed after its custom resources");
        Assert.Empty(cluster.Server.Store.List(SampleCrd.Group, null, SampleCrd.Plural));
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => SampleCrd.GetAsync(cluster.Client, "w1"));
        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    [Fact]
    public async Task MainResource_IgnoresStatus_AndStatusSubresource_IgnoresEverythingElse()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        var created = await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));

        var withStatus = (JsonObject)created.DeepClone();
        withStatus["status"] = new JsonObject { ["phase"] = "Ready" };
        withStatus["spec"]!["size"] = "large";
        var afterMain = SampleCrd.Json(await cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(withStatus, SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1"));
        Assert.Null(afterMain["status"]);
        Assert.Equal("large", afterMain["spec"]!["size"]!.ToString());
        Assert.Equal(2, (long)afterMain["metadata"]!["generation"]!);

        var statusWrite = (JsonObject)afterMain.DeepClone();
        statusWrite["status"] = new JsonObject { ["phase"] = "Ready" };
        statusWrite["spec"]!["size"] = "small";
        var afterStatus = SampleCrd.Json(await cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(statusWrite, SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1"));

        Assert.Equal("Ready", afterStatus["status"]!["phase"]!.ToString());
        Assert.Equal("large", afterStatus["spec"]!["size"]!.ToString());
        Assert.Equal(2, (long)afterStatus["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task Generation_IsBumpedBySpecChangesOnly()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));

        var labelled = SampleCrd.Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"labels":{"team":"a"}}}""", V1Patch.PatchType.MergePatch), SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1"));
        var resized = SampleCrd.Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"size":"medium"}}""", V1Patch.PatchType.MergePatch), SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1"));

        Assert.Equal(1, (long)labelled["metadata"]!["generation"]!);
        Assert.Equal(2, (long)resized["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task ClusterScopedCustomResources_AreServedWithoutANamespace()
    {
        await using var cluster = await TestCluster.StartAsync();
        var crd = SampleCrd.Definition();
        crd.Spec.Scope = "Cluster";
        await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);

        await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(SampleCrd.Widget("global"), SampleCrd.Group, SampleCrd.Version, SampleCrd.Plural);

        var read = SampleCrd.Json(await cluster.Client.CustomObjects.GetClusterCustomObjectAsync(SampleCrd.Group, SampleCrd.Version, SampleCrd.Plural, "global"));
        Assert.Null(read["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task Put_OfACustomResourceWithoutResourceVersion_Is422()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(
            SampleCrd.Widget("w1", size: "large"), SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("metadata.resourceVersion", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Details.Causes.Single().Field);
    }

    [Fact]
    public async Task DeletingTheCrd_EndsWatchesOnItsResource()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));
        var events = cluster.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural);
        var drained = Task.Run(async () =>
        {
            var types = new List<k8s.WatchEventType>();
            await foreach (var (type, _) in events) types.Add(type);
            return types;
        });
        await Eventually.TrueAsync(() => cluster.Server.Requests.Where("watch", SampleCrd.Plural).Count > 0, "the widget watch to be open");

        await cluster.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.example.com");

        Assert.Equal([k8s.WatchEventType.Added, k8s.WatchEventType.Deleted], await Eventually.WithinAsync(drained, "the watch to end when its CRD goes"));
    }
}
