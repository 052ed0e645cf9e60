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

    [ContainerEngineFact]
    public async Task MemoryLimitFarBelowTheModelsNeed_IsOOMKilled_CrashLoops_AndTheModelDeploymentSaysSo()
    {
        await using var cluster = await OperatorOnDevCluster.StartAsync();
        // The runtime with mnist-cnn is ~115 MiB resident; 24 MiB is spent before the model is loaded.
        var yaml = OperatorOnDevCluster.ModelDeploymentYaml("starved", "mnist-cnn.onnx", gpus: 0, replicas: 1) + """

              runtime:
                resources:
                  limits: {memory: 24Mi}
            """;

        await cluster.ApplyAsync(yaml);
        await cluster.KubectlAsync("wait", "--for=condition=Degraded", "mdep/starved", $"--timeout={(int)DegradedWithin.TotalSeconds}s");
        var pod = Assert.Single(await cluster.PodRowsAsync("serving.modeloperator.io/name=starved"))["NAME"];
        var lastState = await Eventually.ValueAsync(async () =>
            await cluster.KubectlAsync("get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].restartCount}") is var s
                && s.StartsWith("OOMKilled", StringComparison.Ordinal) && !s.EndsWith(" 0", StringComparison.Ordinal) ? s : null,
            "the container's last state to be OOMKilled and its restart counted", DegradedWithin);

        var degraded = (await cluster.ModelDeploymentAsync("starved"))["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Degraded")!;
        var parts = lastState.Split(' ');
        Assert.Equal(("OOMKilled", "137"), (parts[0], parts[1]));
        Assert.True(int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) >= 1, $"restartCount {parts[2]}");
        Assert.Contains("OOMKilled", degraded["message"]!.ToString());
        Assert.Contains("137", degraded["message"]!.ToString());
    }
}
