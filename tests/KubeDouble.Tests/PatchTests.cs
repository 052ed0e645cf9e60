using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class PatchTests
{
    [Fact]
    public async Task MergePatch_MergesMaps_RemovesNulls_AndReplacesLists()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");

        var patched = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"metadata":{"labels":{"app":null,"team":"a"}},"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", "default");

        Assert.Equal(3, patched.Spec.Replicas);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a" }, patched.Metadata.Labels);
        Assert.Equal("nginx:1", patched.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task JsonPatch_AppliesOperationsInOrder_AndAFailedTestRefusesTheWholePatch()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "default");

        var patched = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(
            """[{"op":"add","path":"/data/second","value":"2"},{"op":"replace","path":"/data/key","value":"k"}]""", V1Patch.PatchType.JsonPatch), "cm", "default");
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(
            """[{"op":"test","path":"/data/key","value":"other"},{"op":"remove","path":"/data/key"}]""", V1Patch.PatchType.JsonPatch), "cm", "default"));

        Assert.Equal(new Dictionary<string, string> { ["key"] = "k", ["second"] = "2" }, patched.Data);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("k", (await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default")).Data["key"]);
    }

    [Fact]
    public async Task StrategicMergePatch_MergesContainersByName()
    {
        await using var cluster = await TestCluster.StartAsync();
        var deployment = Samples.Deployment("web");
        deployment.Spec.Template.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "proxy:1" });
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");

        var patched = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"proxy:2"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", "default");

        Assert.Equal([("main", "nginx:1"), ("sidecar", "proxy:2")], patched.Spec.Template.Spec.Containers.Select(c => (c.Name, c.Image)));
    }

    [Fact]
    public async Task StrategicMergePatch_OfACustomResource_Is415()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w1"));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"size":"large"}}""", V1Patch.PatchType.StrategicMergePatch), SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, error.Response.StatusCode);
    }

    [Fact]
    public async Task MergePatch_CarryingAStaleResourceVersion_Is409()
    {
        await using var cluster = await TestCluster.StartAsync();
        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "default");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"key":"2"}}""", V1Patch.PatchType.MergePatch), "cm", "default");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(
            $$$"""{"metadata":{"resourceVersion":"{{{created.Metadata.ResourceVersion}}}"},"data":{"key":"3"}}""", V1Patch.PatchType.MergePatch), "cm", "default"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
    }

    [Fact]
    public async Task Patch_OfAMissingObject_Is404()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"key":"2"}}""", V1Patch.PatchType.MergePatch), "absent", "default"));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    [Fact]
    public async Task StrategicMergePatch_HonoursDeleteAndReplaceDirectives()
    {
        await using var cluster = await TestCluster.StartAsync();
        var deployment = Samples.Deployment("web");
        deployment.Spec.Template.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "proxy:1" });
        deployment.Spec.Template.Spec.Containers[0].Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "B", Value = "2" }];
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");

        var patched = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""
            {"spec":{"template":{"spec":{"containers":[
              {"name":"sidecar","$patch":"delete"},
              {"name":"main","env":[{"name":"C","value":"3"},{"$patch":"replace"}]}
            ]}}}}
            """, V1Patch.PatchType.StrategicMergePatch), "web", "default");

        var container = Assert.Single(patched.Spec.Template.Spec.Containers);
        Assert.Equal(("main", "nginx:1"), (container.Name, container.Image));
        Assert.Equal([("C", "3")], container.Env.Select(e => (e.Name, e.Value)));
    }

    [Fact]
    public async Task StrategicMergePatch_RetainKeys_DropsTheOtherFieldsOfTheMap()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");

        var patched = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""", V1Patch.PatchType.StrategicMergePatch), "web", "default");

        Assert.Equal("Recreate", patched.Spec.Strategy.Type);
        Assert.Null(patched.Spec.Strategy.RollingUpdate);
    }
}
