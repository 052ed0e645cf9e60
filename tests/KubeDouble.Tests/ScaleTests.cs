using k8s;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class ScaleTests
{
    [Fact]
    public async Task DeploymentScale_ReadsAndWritesSpecReplicas()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web", replicas: 2), "default");

        var scale = await cluster.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "default");
        await cluster.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", "default");

        Assert.Equal((2, "app=web"), (scale.Spec.Replicas, scale.Status.Selector));
        var live = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal((5, 2L), (live.Spec.Replicas, live.Metadata.Generation));
    }

    [Fact]
    public async Task CustomResourceScale_FollowsTheCrdPaths()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w", replicas: 2));

        var scale = await cluster.Client.CustomObjects.GetNamespacedCustomObjectScaleAsync(SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w");
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(new V1Patch("""{"spec":{"replicas":4}}""", V1Patch.PatchType.MergePatch),
            SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w");

        Assert.Equal(2, (long)SampleCrd.Json(scale)["spec"]!["replicas"]!);
        Assert.Equal(4, (long)(await SampleCrd.GetAsync(cluster.Client, "w"))["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task ScaleBeyondTheSchemaMaximum_Is422()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w"));

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => cluster.Client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(
            new V1Patch("""{"spec":{"replicas":40}}""", V1Patch.PatchType.MergePatch), SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w"));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
    }
}
