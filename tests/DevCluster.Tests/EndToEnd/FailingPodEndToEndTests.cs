using System.Text.Json.Nodes;

namespace ModelOperator.DevCluster.Tests.EndToEnd;

/// <summary>A runtime pod that cannot serve shows on the ModelDeployment, with the kubelet's reason, not as a silent Pending.</summary>
public sealed class FailingPodEndToEndTests
{
    private static readonly TimeSpan DegradedWithin = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ModelThatDoesNotExist_CrashLoops_AndTheModelDeploymentSaysSoInDegradedAndReady()
    {
        await using var cluster = await OperatorOnDevCluster.StartAsync();
        var yaml = OperatorOnDevCluster.ModelDeploymentYaml("broken", "mlp.onnx", gpus: 0, replicas: 1)
            .Replace(RepoPaths.Of(".artifacts", "sample-models", "mlp.onnx"), "/nonexistent/missing.onnx");

        await cluster.ApplyAsync(yaml);
        await cluster.KubectlAsync("wait", "--for=condition=Degraded", "mdep/broken", $"--timeout={(int)DegradedWithin.TotalSeconds}s");

        var md = await cluster.ModelDeploymentAsync("broken");
        var conditions = md["status"]!["conditions"]!.AsArray().ToDictionary(c => c!["type"]!.ToString(), c => c!);
        var pod = Assert.Single(await cluster.PodRowsAsync("serving.modeloperator.io/name=broken"));
        Assert.Equal("CrashLoopBackOff", conditions["Degraded"]["reason"]!.ToString());
        Assert.Contains($"pod {pod["NAME"]} container runtime: CrashLoopBackOff", conditions["Degraded"]["message"]!.ToString());
        Assert.Equal(("False", "CrashLoopBackOff"), (conditions["Ready"]["status"]!.ToString(), conditions["Ready"]["reason"]!.ToString()));
        Assert.Equal("True", conditions["Reconciling"]["status"]!.ToString()); // the kubelet keeps restarting it until the deadline
        Assert.Equal((long)md["metadata"]!["generation"]!, (long)conditions["Degraded"]["observedGeneration"]!);
    }
}
