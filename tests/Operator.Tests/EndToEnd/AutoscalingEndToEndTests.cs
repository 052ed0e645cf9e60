using k8s.Models;
using ModelOperator.Operator.Api;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Latency autoscaling on the dev cluster: the operator, real model-runtime pods of the deep-mlp sample, load through
/// the Service's cluster IP. The breach is certain, not timing-lucky: the runtime holds each request up to its
/// batching delay (50 ms) waiting for a fuller batch that a few callers never fill, so p95 sits near 50 ms whatever the
/// machine's load, against a 10 ms target.
/// </summary>
public sealed class AutoscalingEndToEndTests(ITestOutputHelper output)
{
    private const string Name = "deep-mlp";

    [Fact]
    public async Task LatencyAboveTarget_ScalesUpToMax_WithNoFailedRequest_ThenIdleReturnsToMin()
    {
        var model = RepoPaths.Of(".artifacts", "sample-models", "deep-mlp.onnx");
        Assert.True(File.Exists(model), $"{model} is missing; run `make sample-models`");
        await using var env = await DevClusterWithOperator.StartAsync(output);
        await env.CreateAsync(Autoscaled(model, min: 1, max: 2));
        await Poll.UntilAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 1, "the first pod to be admitted and Ready", TimeSpan.FromSeconds(120));

        await using var load = InferenceLoad.Start(await env.ServiceUrlAsync(Name), Name, clients: 4);
        var highest = 0;
        var scaledUp = await Poll.ValueAsync<ModelDeployment>(async () =>
        {
            var md = await env.ModelAsync(Name);
            highest = Math.Max(highest, md.Status?.Replicas ?? 0);
            return (await env.ReadyPodsAsync(Name)).Count == 2 ? md : null;
        }, "a second Ready pod after the p95 breach", TimeSpan.FromSeconds(120));
        Assert.True(scaledUp.Status!.LatencyP95Ms > 10, $"status.latencyP95Ms {scaledUp.Status.LatencyP95Ms} should show the breach");
        Assert.Contains(await env.EventsAsync(Name), e => e.Reason == "ScaledUp" && e.Message.Contains("from 1 to 2 replicas"));

        // The breach goes on: the autoscaler must hold at max, never past it, while the load runs a few more steps.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            highest = Math.Max(highest, (await env.ModelAsync(Name)).Status?.Replicas ?? 0);
            Assert.True((await env.PodsAsync(Name)).Count <= 2, "more pods than replicas.max");
        }
        await load.StopAsync();
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Failed + load.Succeeded} requests failed: {string.Join(" | ", load.FirstFailures)}");
        Assert.Equal(2, highest);

        await Poll.UntilAsync(async () => (await env.ModelAsync(Name)).Status?.Replicas == 1, "back to replicas.min once idle past the scale-down stabilization", TimeSpan.FromSeconds(90));
        await Poll.UntilAsync(async () => (await env.PodsAsync(Name)).Count == 1, "the second pod gone", TimeSpan.FromSeconds(60));
        Assert.Contains(await env.EventsAsync(Name), e => e.Reason == "ScaledDown" && e.Message.Contains("from 2 to 1 replicas"));
    }

    internal static ModelDeployment Autoscaled(string model, int min, int max, Action<ModelDeploymentSpec>? edit = null)
    {
        var md = new ModelDeployment
        {
            ApiVersion = $"{ModelDeployment.Group}/{ModelDeployment.Version}", Kind = "ModelDeployment",
            Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = "default" },
            Spec = new ModelDeploymentSpec
            {
                Model = new ModelSource { Uri = new Uri(model).AbsoluteUri },
                Runtime = new RuntimeSpec { Device = "cpu", Batching = new BatchingSpec { MaxBatchSize = 32, MaxDelayMs = 50 } },
                Benchmark = new BenchmarkSpec { BatchSizes = [1], Iterations = 10 },
                Replicas = new ReplicasSpec { Min = min, Max = max },
                Autoscaling = new AutoscalingSpec
                {
                    Metric = "latencyP95", TargetMs = 10, Window = "6s", ScaleUpStabilization = "0s", ScaleDownStabilization = "6s",
                },
            },
        };
        edit?.Invoke(md.Spec);
        return md;
    }
}
