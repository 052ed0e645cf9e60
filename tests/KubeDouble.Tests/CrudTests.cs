using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class CrudTests
{
    [Fact]
    public async Task Create_SetsUidCreationTimestampResourceVersionAndGeneration()
    {
        await using var cluster = await TestCluster.StartAsync();

        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("one"), "default");

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal("default", created.Metadata.NamespaceProperty);
        var read = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("one", "default");
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("v", read.Data["key"]);
    }

    [Fact]
    public async Task Create_WithGenerateName_AppendsARandomSuffix()
    {
        await using var cluster = await TestCluster.StartAsync();

        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "cm-" } }, "default");

        Assert.Matches("^cm-[a-z0-9]{5}$", created.Metadata.Name);
    }

    [Fact]
    public async Task Create_OfAnExistingName_Is409AlreadyExists()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("dup"), "default");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("dup"), "default"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("configmaps \"dup\" already exists", status.Message);
    }

    [Fact]
    public async Task Get_OfAMissingObject_Is404NotFoundStatus()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("absent", "default"));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal(("Failure", "NotFound", 404), (status.Status, status.Reason, status.Code));
        Assert.Equal("deployments.apps \"absent\" not found", status.Message);
        Assert.Equal(("absent", "apps", "deployments"), (status.Details.Name, status.Details.Group, status.Details.Kind));
    }

    [Fact]
    public async Task Update_WithAStaleResourceVersion_Is409Conflict()
    {
        await using var cluster = await TestCluster.StartAsync();
        var first = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "default");
        first.Data["key"] = "second";
        await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "cm", "default");

        first.Data["key"] = "stale";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "cm", "default"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Conflict", status.Reason);
        Assert.Contains("the object has been modified", status.Message);
        Assert.Equal("second", (await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default")).Data["key"]);
    }

    [Fact]
    public async Task Update_BumpsResourceVersion_AndAnUnchangedUpdateWritesNothing()
    {
        await using var cluster = await TestCluster.StartAsync();
        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "default");
        created.Data["key"] = "changed";
        var updated = await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", "default");
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));

        var again = await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(updated, "cm", "default");

        Assert.Equal(updated.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Update_OfAMissingObject_Is404()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(Samples.ConfigMap("nope"), "nope", "default"));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    [Fact]
    public async Task Update_CannotChangeImmutableMetadata()
    {
        await using var cluster = await TestCluster.StartAsync();
        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "default");
        var forged = Samples.ConfigMap("cm", value: "new");
        forged.Metadata.CreationTimestamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        forged.Metadata.Generation = 42;

        var updated = await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(forged, "cm", "default");

        Assert.Equal(created.Metadata.Uid, updated.Metadata.Uid);
        Assert.Equal(created.Metadata.CreationTimestamp, updated.Metadata.CreationTimestamp);
        Assert.NotEqual(42, updated.Metadata.Generation);
    }

    [Fact]
    public async Task List_CarriesAResourceVersion_AndEveryItem()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a"), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("b"), "default");

        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default");

        Assert.False(string.IsNullOrEmpty(list.Metadata.ResourceVersion));
        Assert.Equal(["a", "b"], list.Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task List_WithLimit_PagesWithAContinueToken()
    {
        await using var cluster = await TestCluster.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap(name), "default");

        var first = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2);
        var second = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: first.Metadata.ContinueProperty);

        Assert.Equal(["a", "b"], first.Items.Select(i => i.Metadata.Name));
        Assert.Equal(1, first.Metadata.RemainingItemCount);
        Assert.Equal(["c"], second.Items.Select(i => i.Metadata.Name));
        Assert.Null(second.Metadata.ContinueProperty);
    }

    [Fact]
    public async Task Create_InAMissingNamespace_Is404()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "missing"));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
        Assert.Equal("namespaces \"missing\" not found", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message);
    }

    [Fact]
    public async Task Delete_RemovesTheObject()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "default");

        var status = await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default");

        Assert.Equal("Success", status.Status);
        Assert.Null(cluster.Server.Store.Get("", "v1", "configmaps", "default", "cm"));
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default"));
        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }
}
