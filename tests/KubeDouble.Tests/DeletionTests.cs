using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class DeletionTests
{
    private static V1Patch Merge(string json) => new(json, V1Patch.PatchType.MergePatch);

    [Fact]
    public async Task Delete_OfAnObjectWithFinalizers_SetsDeletionTimestamp_AndRemovesItWhenTheyEmpty()
    {
        await using var cluster = await TestCluster.StartAsync();
        var cm = Samples.ConfigMap("cm");
        cm.Metadata.Finalizers = ["example.com/cleanup"];
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");

        await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default");
        var deleting = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Merge("""{"metadata":{"finalizers":null}}"""), "cm", "default");

        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        Assert.Null(cluster.Server.Store.Get("", "v1", "configmaps", "default", "cm"));
    }

    [Fact]
    public async Task ADeletingObject_RefusesNewFinalizers_With422()
    {
        await using var cluster = await TestCluster.StartAsync();
        var cm = Samples.ConfigMap("cm");
        cm.Metadata.Finalizers = ["example.com/a"];
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(
            Merge("""{"metadata":{"finalizers":["example.com/a","example.com/b"]}}"""), "cm", "default"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal(("Invalid", "metadata.finalizers"), (status.Reason, status.Details.Causes.Single().Field));
    }

    [Fact]
    public async Task OwnerReferenceGc_DeletesDependentsInTheBackground()
    {
        await using var cluster = await TestCluster.StartAsync();
        var owner = await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Dependent("child", owner), "default");

        await cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync("web", "default");

        await Eventually.TrueAsync(() => cluster.Server.Store.Get("", "v1", "configmaps", "default", "child") is null, "the dependent to be collected");
    }

    [Fact]
    public async Task ForegroundDeletion_KeepsTheOwnerUntilItsDependentsAreGone()
    {
        await using var cluster = await TestCluster.StartAsync();
        var owner = await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");
        var child = Dependent("child", owner);
        child.Metadata.Finalizers = ["example.com/hold"];
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(child, "default");

        await cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync("web", "default", propagationPolicy: "Foreground");
        await Eventually.TrueAsync(() => cluster.Server.Store.Get("", "v1", "configmaps", "default", "child")?["metadata"]?["deletionTimestamp"] is not null,
            "the dependent to be deleting");
        var ownerWhileWaiting = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(Merge("""{"metadata":{"finalizers":null}}"""), "child", "default");

        Assert.Contains("foregroundDeletion", ownerWhileWaiting.Metadata.Finalizers);
        Assert.NotNull(ownerWhileWaiting.Metadata.DeletionTimestamp);
        await Eventually.TrueAsync(() => cluster.Server.Store.Get("apps", "v1", "deployments", "default", "web") is null, "the owner to go after its dependent");
    }

    [Fact]
    public async Task OrphanDeletion_ReleasesDependents()
    {
        await using var cluster = await TestCluster.StartAsync();
        var owner = await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Dependent("child", owner), "default");

        await cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync("web", "default", propagationPolicy: "Orphan");

        await Eventually.TrueAsync(() => cluster.Server.Store.Get("apps", "v1", "deployments", "default", "web") is null, "the owner to go");
        var orphan = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("child", "default");
        Assert.Null(orphan.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task WithGarbageCollectionOff_DependentsStay()
    {
        await using var cluster = await TestCluster.StartAsync(new KubeApiServerOptions { GarbageCollectionEnabled = false });
        var owner = await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Dependent("child", owner), "default");

        await cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync("web", "default");
        await Eventually.WithinAsync(cluster.Server.WaitForControllersAsync().ContinueWith(_ => true), "the controllers to catch up");

        Assert.NotNull(cluster.Server.Store.Get("", "v1", "configmaps", "default", "child"));
        cluster.Server.GarbageCollectionEnabled = true;
        await Eventually.TrueAsync(() => cluster.Server.Store.Get("", "v1", "configmaps", "default", "child") is null, "the dependent to be collected once GC is on");
    }

    [Fact]
    public async Task DeletingANamespace_TerminatesItThenRemovesItsContent()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "team");

        var terminating = await cluster.Client.CoreV1.DeleteNamespaceAsync("team");

        await Eventually.TrueAsync(() => cluster.Server.Store.Get("", "v1", "namespaces", null, "team") is null, "the namespace to be removed");
        Assert.Null(cluster.Server.Store.Get("", "v1", "configmaps", "team", "cm"));
    }

    [Fact]
    public async Task DeleteCollection_DeletesWhatTheSelectorMatches()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a", new Dictionary<string, string> { ["tier"] = "web" }), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("b", new Dictionary<string, string> { ["tier"] = "db" }), "default");

        await cluster.Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync("default", labelSelector: "tier=web");

        Assert.Equal(["b"], cluster.Server.Store.List("", "v1", "configmaps", "default").Select(o => o["metadata"]!["name"]!.ToString()));
    }

    [Fact]
    public async Task Delete_WithAUidPreconditionThatDiffers_Is409()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("cm"), "default");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default",
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "not-the-uid" } }));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
    }

    private static V1ConfigMap Dependent(string name, V1Deployment owner)
    {
        var cm = Samples.ConfigMap(name);
        cm.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, BlockOwnerDeletion = true, Controller = true }];
        return cm;
    }
}

public sealed class GracefulDeletionTests
{
    [Fact]
    public async Task BoundPod_IsDeletedGracefully_UntilDeletedAgainWithGracePeriodZero()
    {
        await using var cluster = await TestCluster.StartAsync();
        await CreateBoundPodAsync(cluster);

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("p", "default");
        var terminating = await cluster.Client.CoreV1.ReadNamespacedPodAsync("p", "default");
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("p", "default", gracePeriodSeconds: 0);

        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(30, terminating.Metadata.DeletionGracePeriodSeconds);
        Assert.Null(cluster.Server.Store.Get("", "v1", "pods", "default", "p"));
    }

    [Fact]
    public async Task TerminatingPod_StaysThroughItsKubeletsStatusWrites()
    {
        await using var cluster = await TestCluster.StartAsync();
        await CreateBoundPodAsync(cluster);
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        // The kubelet reports the terminating pod not ready: the object must stay until the kubelet deletes it again.
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("p", "default");
        pod.Status = new V1PodStatus { Phase = "Running", Conditions = [new V1PodCondition { Type = "Ready", Status = "False" }] };
        await cluster.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, "p", "default");

        var after = await cluster.Client.CoreV1.ReadNamespacedPodAsync("p", "default");
        Assert.NotNull(after.Metadata.DeletionTimestamp);
        Assert.Equal("False", after.Status.Conditions.Single(c => c.Type == "Ready").Status);
    }

    private static Task<V1Pod> CreateBoundPodAsync(TestCluster cluster) => cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Spec = new V1PodSpec { NodeName = "node-1", Containers = [new V1Container { Name = "c", Image = "i" }] },
    }, "default");

    [Fact]
    public async Task UnboundPod_IsDeletedAtOnce()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] },
        }, "default");

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        Assert.Null(cluster.Server.Store.Get("", "v1", "pods", "default", "p"));
    }
}
