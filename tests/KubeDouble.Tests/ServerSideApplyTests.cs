using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class ServerSideApplyTests
{
    private static V1Patch Apply(string json) => new(json, V1Patch.PatchType.ApplyPatch);

    private const string Replicas3 = """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","labels":{"owner":"a"}},"data":{"size":"3"}}
        """;

    [Fact]
    public async Task Apply_CreatesTheObject_AndRecordsTheManagerOwningItsFields()
    {
        await using var cluster = await TestCluster.StartAsync();

        var applied = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(Replicas3), "cm", "default", fieldManager: "tool-a");

        Assert.Equal("3", applied.Data["size"]);
        var entry = Assert.Single(applied.Metadata.ManagedFields);
        Assert.Equal(("tool-a", "Apply", "FieldsV1"), (entry.Manager, entry.Operation, entry.FieldsType));
        var fields = KubernetesJson.Serialize(entry.FieldsV1);
        Assert.Contains("\"f:size\"", fields);
        Assert.Contains("\"f:owner\"", fields);
    }

    [Fact]
    public async Task Apply_WithoutFieldManager_Is400()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(Replicas3), "cm", "default"));

        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
    }

    [Fact]
    public async Task Apply_OfAFieldAnotherManagerOwns_Is409WithTheField_UnlessForced()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(Replicas3), "cm", "default", fieldManager: "tool-a");
        var other = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"size":"5"}}""";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(other), "cm", "default", fieldManager: "tool-b"));
        var forced = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(other), "cm", "default", fieldManager: "tool-b", force: true);

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Conflict", status.Reason);
        var cause = Assert.Single(status.Details.Causes);
        Assert.Equal(("FieldManagerConflict", ".data.size"), (cause.Reason, cause.Field));
        Assert.Contains("tool-a", cause.Message);
        Assert.Equal("5", forced.Data["size"]);
        Assert.Equal("a", forced.Metadata.Labels["owner"]);
    }

    [Fact]
    public async Task Apply_OfTheSameValue_SharesOwnershipWithoutConflict()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(Replicas3), "cm", "default", fieldManager: "tool-a");

        var shared = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(
            Apply("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"size":"3"}}"""), "cm", "default", fieldManager: "tool-b");

        Assert.Equal(["tool-a", "tool-b"], shared.Metadata.ManagedFields.Select(m => m.Manager).Order());
    }

    [Fact]
    public async Task Apply_ThatDropsAField_RemovesIt_WhenNoOtherManagerOwnsIt()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"1","b":"2"}}"""), "cm", "default", fieldManager: "tool-a");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"c":"3"}}""", V1Patch.PatchType.MergePatch), "cm", "default", fieldManager: "editor");

        var applied = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"1"}}"""), "cm", "default", fieldManager: "tool-a");

        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" }, applied.Data);
    }

    [Fact]
    public async Task Update_ByAnotherManager_TakesOwnership_SoALaterApplyConflicts()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(Replicas3), "cm", "default", fieldManager: "tool-a");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"size":"4"}}""", V1Patch.PatchType.MergePatch), "cm", "default", fieldManager: "editor");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(Replicas3), "cm", "default", fieldManager: "tool-a"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Contains("conflict with \"editor\"", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message);
    }

    [Fact]
    public async Task Apply_ToAMapList_MergesItemsByKey()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(Apply(
            """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":"small","ports":[{"name":"http","port":80}]}}"""),
            SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w", fieldManager: "tool-a");

        var merged = SampleCrd.Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(Apply(
            """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"ports":[{"name":"metrics","port":9090}]}}"""),
            SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w", fieldManager: "tool-b"));

        Assert.Equal(["http", "metrics"], merged["spec"]!["ports"]!.AsArray().Select(p => p!["name"]!.ToString()).Order());
    }

    [Fact]
    public async Task ApplyToStatus_SetsOnlyStatus()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w"));

        var applied = SampleCrd.Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(Apply(
            """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":"large"},"status":{"phase":"Ready"}}"""),
            SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w", fieldManager: "controller"));

        Assert.Equal("Ready", applied["status"]!["phase"]!.ToString());
        Assert.Equal("small", applied["spec"]!["size"]!.ToString());
    }
}
