using k8s;
using k8s.Models;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

public sealed class DeploymentRolloutTests
{
    private const string Strategy = "strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}";

    [Fact]
    public async Task Deployment_CreatesAReplicaSetAndPods_AndRolloutStatusReturns()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync();

        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 3));
        var (code, output, error) = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.True(code == 0, error);
        Assert.Contains("successfully rolled out", output);
        var rs = Assert.Single((await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync("default")).Items);
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"web-{hash}", rs.Name());
        Assert.Equal("1", rs.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal("Deployment", rs.Metadata.OwnerReferences.Single().Kind);
        var pods = await cluster.PodsAsync("app=web");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.StartsWith($"web-{hash}-", p.Name()));
        Assert.All(pods, p => Assert.Equal(rs.Uid(), p.Metadata.OwnerReferences.Single().Uid));
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal((3, 3, 3, 3), (deployment.Status.Replicas, deployment.Status.UpdatedReplicas, deployment.Status.ReadyReplicas, deployment.Status.AvailableReplicas));
        Assert.Contains(deployment.Status.Conditions, c => c is { Type: "Available", Status: "True", Reason: "MinimumReplicasAvailable" });
        Assert.Contains(deployment.Status.Conditions, c => c is { Type: "Progressing", Status: "True", Reason: "NewReplicaSetAvailable" });
    }

    [Fact]
    public async Task RollingUpdate_StaysWithinMaxSurgeAndMaxUnavailable()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(readyAfter: TimeSpan.FromMilliseconds(300));
        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 4, strategy: Strategy));
        Assert.Equal(0, (await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=60s")).Code);

        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 4, image: "example/web:2", strategy: Strategy));
        var rollout = Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=60s");
        int maxPods = 0, minReady = int.MaxValue;
        while (!rollout.IsCompleted)
        {
            var pods = (await cluster.PodsAsync("app=web")).Where(p => p.Metadata.DeletionTimestamp is null).ToList();
            maxPods = Math.Max(maxPods, pods.Count);
            minReady = Math.Min(minReady, pods.Count(p => p.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true));
            await Task.Delay(20);
        }

        Assert.Equal(0, (await rollout).Code);
        Assert.True(maxPods <= 5, $"saw {maxPods} pods at once; replicas 4 + maxSurge 1 allows 5");
        Assert.True(minReady >= 3, $"saw only {minReady} ready pods; replicas 4 - maxUnavailable 1 requires 3");
        var sets = (await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync("default")).Items.OrderBy(r => r.Metadata.Annotations["deployment.kubernetes.io/revision"]).ToList();
        Assert.Equal(2, sets.Count);
        Assert.Equal((0, 4), (sets[0].Spec.Replicas ?? 0, sets[1].Spec.Replicas ?? 0));
        Assert.Equal("2", sets[1].Metadata.Annotations["deployment.kubernetes.io/revision"]);
        // As on a real cluster, rollout status returns once the new pods are available; old ones may still be terminating.
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.PodsAsync("app=web")).All(p => p.Spec.Containers[0].Image == "example/web:2"),
            "the old pods to finish terminating");
    }

    [Fact]
    public async Task KubectlScale_ChangesThePodCount()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync();
        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 1));

        var scale = await Kubectl.RunAsync(cluster.Kubeconfig, "scale", "deployment/web", "--replicas=3");
        Assert.True(scale.Code == 0, scale.Err);
        Assert.Equal(0, (await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=60s")).Code);
        Assert.Equal(3, (await cluster.PodsAsync("app=web")).Count);

        Assert.Equal(0, (await Kubectl.RunAsync(cluster.Kubeconfig, "scale", "deployment/web", "--replicas=1")).Code);
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.PodsAsync("app=web")).Count == 1, "the deployment to scale down to 1 pod");
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default")).Status?.Replicas == 1,
            "the deployment's status to report 1 replica");
    }

    [Fact]
    public async Task UnschedulablePod_IsReported_AndRetriedWhenItChanges()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync();
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "gpu" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "x", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new("1") } } }] },
        };
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        const string expected = "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint {nvidia.com/gpu: present}.";
        // Until all three nodes have registered the message names fewer; the scheduler retries as nodes change.
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.Client.CoreV1.ReadNamespacedPodAsync("gpu", "default")).Status?.Conditions?
            .Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable", Message: expected }) == true, $"PodScheduled=False: {expected}");
        var describe = await Kubectl.RunAsync(cluster.Kubeconfig, "describe", "pod", "gpu");
        Assert.Contains("FailedScheduling", describe.Out);

        var toleration = """{"spec":{"tolerations":[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]}}""";
        await cluster.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch(toleration, V1Patch.PatchType.MergePatch), "gpu", "default");

        await ControlPlaneCluster.UntilAsync(async () => (await cluster.Client.CoreV1.ReadNamespacedPodAsync("gpu", "default")).Spec.NodeName?.StartsWith("gpu-node-") == true,
            "the pod to be bound to a GPU node once it tolerates the taint");
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync("default")).Items
            .Any(e => e.Reason == "Scheduled" && e.Message.StartsWith("Successfully assigned default/gpu to gpu-node-")), "a Scheduled event");
    }
}
