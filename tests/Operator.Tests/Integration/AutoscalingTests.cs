using k8s;
using k8s.Autorest;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>
/// The autoscaler against the API double with stand-in pods whose /metrics the test drives: it reads the latency the
/// pods report, scales the revision's Deployment through status.replicas, returns to min when idle and holds when the
/// metrics cannot be read.
/// </summary>
public sealed class AutoscalingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SlowPods_ScaleUpToMax_IdleReturnsToMin_UnreadableMetricsHold()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        await cluster.StartOperatorAsync("a", tweak: o => o with { AutoscaleInterval = TimeSpan.FromMilliseconds(500) });
        await using var pod = await FakeRuntimePod.StartAsync();
        await cluster.CreateAsync(Samples.Model("llm", edit: s =>
        {
            s.Replicas = new ReplicasSpec { Min = 1, Max = 3 };
            s.Autoscaling = new AutoscalingSpec { TargetMs = 100, Window = "2s", ScaleUpStabilization = "0s", ScaleDownStabilization = "2s" };
        }));
        await Eventually.TrueAsync(() => cluster.Converged("llm"), "llm to converge");
        var deployment = cluster.CurrentDeployment(cluster.Model("llm")!)!;
        Assert.Equal(1, deployment.Spec.Replicas);
        await AddReadyPodAsync(cluster, deployment, "llm-" + deployment.Metadata.Labels[WellKnown.RevisionLabel] + "-rs-a", pod.Ip);

        // Requests at ~0.5 s against a 100 ms target: ceil(1 x ~5) is 5, capped at max 3.
        pod.BusyWithRequestsOfSeconds = 0.5;
        await Eventually.TrueAsync(() => cluster.Model("llm")!.Status?.Replicas == 3, "status.replicas to reach max 3 under slow requests");
        await Eventually.TrueAsync(() => cluster.CurrentDeployment(cluster.Model("llm")!)?.Spec.Replicas == 3, "the Deployment to be sized to 3");
        var scaled = cluster.Model("llm")!.Status!;
        Assert.True(scaled.LatencyP95Ms > 100, $"latencyP95Ms {scaled.LatencyP95Ms} should show the breach");
        Assert.NotNull(scaled.LastScaleTime);
        Assert.Equal("True", Condition(scaled, "ScalingActive").Status);
        Assert.Equal("True", Condition(scaled, "ScalingLimited").Status);
        Assert.Equal("TooManyReplicas", Condition(scaled, "ScalingLimited").Reason);
        // The event follows the status write it reports, so it may land a moment after the replicas are seen.
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync("default")).Items
            .Any(e => e.Reason == "ScaledUp" && e.Message.StartsWith("Scaled from 1 to 3 replicas", StringComparison.Ordinal)), "a ScaledUp event from 1 to 3 replicas");

        // Load stops: the counters stand still, so the pods are idle, and min follows the scale-down stabilization.
        pod.BusyWithRequestsOfSeconds = null;
        await Eventually.TrueAsync(() => cluster.Model("llm")!.Status?.Replicas == 1, "status.replicas back to min 1 once idle");
        Assert.Equal("NoRequests", Condition(cluster.Model("llm")!.Status!, "ScalingActive").Reason);

        // The pod stops answering /metrics: no data, so the replicas hold and ScalingActive says why.
        await pod.StopAsync();
        await Eventually.TrueAsync(() => Condition(cluster.Model("llm")!.Status!, "ScalingActive").Status == "False", "ScalingActive=False once scrapes fail");
        var held = cluster.Model("llm")!.Status!;
        Assert.Equal("FailedGetPodsMetric", Condition(held, "ScalingActive").Reason);
        Assert.Equal(1, held.Replicas);
    }

    [Fact]
    public async Task ScaleSubresource_DrivesReplicas_WithoutSpecAutoscaling()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        await cluster.StartOperatorAsync("a");
        await cluster.CreateAsync(Samples.Model("web"));
        await Eventually.TrueAsync(() => cluster.Converged("web"), "web to converge");

        // What kubectl scale mdep/web --replicas 5 sends: a merge patch of the scale subresource.
        var patch = new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch);
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(patch, ModelDeployment.Group, ModelDeployment.Version, "default", ModelDeployment.Plural, "web");

        await Eventually.TrueAsync(() => cluster.CurrentDeployment(cluster.Model("web")!)?.Spec.Replicas == 5, "the Deployment to follow the scale subresource to 5");
        await Eventually.TrueAsync(() => cluster.Model("web")!.Status?.Replicas == 5, "status.replicas (the scale subresource's status) to show 5");
        var md = cluster.Model("web")!;
        Assert.Equal(5, md.Spec.Replicas!.Count);
        Assert.Equal("serving.modeloperator.io/name=web", md.Status!.Selector);
    }

    [Fact]
    public async Task ReplicasCount_WithSpecAutoscaling_IsRefusedByTheApiServer()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        var md = Samples.Model("both", edit: s =>
        {
            s.Replicas = new ReplicasSpec { Min = 1, Max = 3, Count = 2 };
            s.Autoscaling = new AutoscalingSpec { TargetMs = 100 };
        });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.CreateAsync(md));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("replicas.count is for kubectl scale or an external autoscaler", error.Response.Content);
    }

    private static Condition Condition(ModelDeploymentStatus status, string type) =>
        status.Conditions?.FirstOrDefault(c => c.Type == type) ?? throw new Xunit.Sdk.XunitException($"no {type} condition in status");

    private static async Task AddReadyPodAsync(OperatorTestCluster cluster, V1Deployment deployment, string name, string ip)
    {
        var pod = await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = deployment.Spec.Template.Metadata.Labels },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "runtime", Image = "registry.local/model-runtime:test" }] },
        }, "default");
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = ip,
            Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }],
        };
        await cluster.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, name, "default");
    }
}
