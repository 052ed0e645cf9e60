using System.Text.Json;
using k8s.Models;
using ModelOperator.Operator.Api;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Latency autoscaling on the dev cluster: the operator, real model-runtime pods of the deep-mlp sample, load through
/// the Service's cluster IP. The breach is certain, not timing-lucky: 16 closed-loop callers keep 16 requests in flight,
/// so by Little's law a request takes 16 / throughput, over the 1 ms target (the CRD's least) unless one pod served
/// 16,000 requests a second. A 50 ms batching delay against a 10 ms target was not certain: the runtime does not hold a
/// request for the delay when its batch worker is idle, and one of three runs measured p95 0.77 ms with 4 callers.
/// </summary>
public sealed class AutoscalingEndToEndTests(ITestOutputHelper output)
{
    private const string Name = "deep-mlp";
    private const double Target = 1;
    private const int Callers = 16;
    private static readonly TimeSpan PodStart = TimeSpan.FromSeconds(120);

    /// <summary>Also the figures of <c>make bench-autoscale</c>, written to .artifacts/bench-autoscale.json.</summary>
    [Fact]
    public async Task LatencyAboveTarget_ScalesUpToMax_WithNoFailedRequest_ThenIdleReturnsToMin()
    {
        await using var env = await DevClusterWithOperator.StartAsync(output);
        await env.CreateAsync(Autoscaled(min: 1, max: 2));
        await Eventually.TrueAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 1, "the first pod to be admitted and Ready", PodStart);

        await using var load = InferenceLoad.Start(await env.ServingUrlAsync(Name), Name, clients: Callers);
        var highest = 0;
        var decided = await Eventually.ValueAsync<ModelDeployment>(async () =>
        {
            var md = await env.ModelAsync(Name);
            highest = Math.Max(highest, md.Status?.Replicas ?? 0);
            return md.Status?.Replicas >= 2 ? md : null;
        }, "status.replicas 2 after the p95 breach", TimeSpan.FromSeconds(60));
        var decisionSeconds = load.Elapsed.Elapsed.TotalSeconds;
        Assert.True(decided.Status!.LatencyP95Ms > Target, $"status.latencyP95Ms {decided.Status.LatencyP95Ms} should show the breach");
        await Eventually.TrueAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 2, "the second pod to be admitted and Ready", PodStart);
        var admittedSeconds = load.Elapsed.Elapsed.TotalSeconds;
        Assert.Contains(await env.EventsAsync(Name), e => e.Reason == "ScaledUp" && e.Message.Contains("from 1 to 2 replicas"));

        // The breach goes on: the autoscaler must hold at max, never past it, while the load runs a few more steps.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            highest = Math.Max(highest, (await env.ModelAsync(Name)).Status?.Replicas ?? 0);
            Assert.True((await env.PodsAsync(Name)).Count <= 2, "more pods than replicas.max");
        }
        await load.StopAsync();
        WriteBenchFigures(decisionSeconds, admittedSeconds, load);
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Failed + load.Succeeded} requests failed: {string.Join(" | ", load.FirstFailures)}");
        Assert.Equal(2, highest);

        await Eventually.TrueAsync(async () => (await env.ModelAsync(Name)).Status?.Replicas == 1, "back to replicas.min once idle past the scale-down stabilization", TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => (await env.PodsAsync(Name)).Count == 1, "the second pod gone", TimeSpan.FromSeconds(60));
        Assert.Contains(await env.EventsAsync(Name), e => e.Reason == "ScaledDown" && e.Message.Contains("from 2 to 1 replicas"));
    }

    [Fact]
    public async Task PrometheusSource_MakesTheSameScaleUp_AndPrometheusStoppedHoldsTheReplicas_WithScalingActiveFalse()
    {
        await using var env = await DevClusterWithOperator.StartAsync(output);
        await using var prometheus = await StockPrometheus.StartAsync(env.Cluster.Context.StateDirectory);
        // Prometheus scrapes every 5 s; rate() needs two samples inside the window.
        await env.CreateAsync(Autoscaled(min: 1, max: 2, edit: s =>
        {
            s.Autoscaling!.Source = "prometheus";
            s.Autoscaling.PrometheusUrl = prometheus.Url.ToString();
            s.Autoscaling.Window = "15s";
        }));
        await Eventually.TrueAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 1, "the first pod to be admitted and Ready", PodStart);

        await using (var load = InferenceLoad.Start(await env.ServingUrlAsync(Name), Name, clients: Callers))
        {
            var decided = await Eventually.ValueAsync<ModelDeployment>(async () => (await env.ModelAsync(Name)) is { Status.Replicas: >= 2 } md ? md : null,
                "status.replicas 2 from Prometheus's p95", TimeSpan.FromSeconds(90));
            Assert.True(decided.Status!.LatencyP95Ms > Target, $"status.latencyP95Ms {decided.Status.LatencyP95Ms} should show the breach Prometheus measured");
            Assert.Equal(2, decided.Status.Replicas);
            // The event follows the status write it reports.
            await Eventually.TrueAsync(async () => (await env.EventsAsync(Name)).Any(e => e.Reason == "ScaledUp" && e.Message.Contains("from 1 to 2 replicas")),
                "a ScaledUp event from 1 to 2 replicas");

            await prometheus.StopAsync();
            await load.StopAsync();
            Assert.True(load.Failed == 0, $"{load.Failed} of {load.Failed + load.Succeeded} requests failed: {string.Join(" | ", load.FirstFailures)}");
        }

        var inactive = await Eventually.ValueAsync<Condition>(async () =>
            (await env.ModelAsync(Name)).Status?.Conditions?.FirstOrDefault(c => c is { Type: "ScalingActive", Status: "False" }),
            "ScalingActive=False once Prometheus stopped", TimeSpan.FromSeconds(30));
        Assert.Equal("FailedGetPrometheusMetric", inactive.Reason);
        // No load and no Prometheus for longer than window + scale-down stabilization: idle would have meant min; no data holds.
        await Task.Delay(TimeSpan.FromSeconds(25));
        var held = await env.ModelAsync(Name);
        Assert.Equal(2, held.Status!.Replicas);
        Assert.Equal(2, (await env.PodsAsync(Name)).Count);
        Assert.Contains(held.Status.Conditions!, c => c is { Type: "ScalingActive", Status: "False", Reason: "FailedGetPrometheusMetric" });
    }

    [Fact]
    public async Task GpuModel_ScalesToTheGpusThatExist_WithScalingLimitedInsufficientGpu_AndNoPodLeftPending()
    {
        // The dev cluster's default nodes: 2 GPU nodes with 2 nvidia.com/gpu each, and a CPU node.
        await using var env = await DevClusterWithOperator.StartAsync(output);
        await env.CreateAsync(Autoscaled(min: 1, max: 6, edit: s =>
        {
            s.Gpu = new GpuSpec { Count = 1 };
            s.Runtime!.Device = "auto";
        }));
        await Eventually.TrueAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 1, "the first GPU pod to be admitted and Ready", PodStart);

        await using var load = InferenceLoad.Start(await env.ServingUrlAsync(Name), Name, clients: Callers);
        ModelDeployment? last = null;
        var limited = await Eventually.ValueAsync<ModelDeployment>(async () => (last = await env.ModelAsync(Name)) is { Status.Replicas: 4 } md
            && md.Status.Conditions?.Any(c => c is { Type: "ScalingLimited", Status: "True", Reason: "InsufficientGPU" }) == true ? md : null,
            "4 replicas with ScalingLimited=True InsufficientGPU", TimeSpan.FromSeconds(120)).ContinueWith(t =>
            {
                if (t.IsFaulted) output.WriteLine($"Load: {load.Succeeded} answered, {load.Failed} failed {string.Join(" | ", load.FirstFailures)}; status: {k8s.KubernetesJson.Serialize(last?.Status)}");
                return t;
            }).Unwrap();
        output.WriteLine(limited.Status!.Conditions!.Single(c => c.Type == "ScalingLimited").Message);
        await Eventually.TrueAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 4, "all 4 GPU pods admitted and Ready", PodStart * 2);
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var pods = await env.PodsAsync(Name);
            Assert.True(pods.Count <= 4, $"{pods.Count} pods for 4 GPUs");
            Assert.DoesNotContain(pods, p => p.Status?.Phase == "Pending" && p.Spec.NodeName is null);
            Assert.True((await env.ModelAsync(Name)).Status!.Replicas <= 4, "status.replicas past the GPUs that exist");
        }
        await load.StopAsync();
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Failed + load.Succeeded} requests failed: {string.Join(" | ", load.FirstFailures)}");
    }

    private void WriteBenchFigures(double decisionSeconds, double admittedSeconds, InferenceLoad load)
    {
        var figures = new
        {
            windowSeconds = 6, targetMs = Target,
            secondsToDecision = Math.Round(decisionSeconds, 1),
            secondsToDecisionAfterWindow = Math.Round(decisionSeconds - 6, 1),
            secondsToNewPodAdmitted = Math.Round(admittedSeconds, 1),
            requests = load.Succeeded + load.Failed, failedRequests = load.Failed,
        };
        var json = JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true });
        output.WriteLine(json);
        Directory.CreateDirectory(RepoPaths.Of(".artifacts"));
        File.WriteAllText(RepoPaths.Of(".artifacts", "bench-autoscale.json"), json + "\n");
    }

    private static ModelDeployment Autoscaled(int min, int max, Action<ModelDeploymentSpec>? edit = null)
    {
        var model = RepoPaths.Of(".artifacts", "sample-models", "deep-mlp.onnx");
        Assert.True(File.Exists(model), $"{model} is missing; run `make sample-models`");
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
                    Metric = "latencyP95", TargetMs = Target, Window = "6s", ScaleUpStabilization = "0s", ScaleDownStabilization = "6s",
                },
            },
        };
        edit?.Invoke(md.Spec);
        return md;
    }
}
