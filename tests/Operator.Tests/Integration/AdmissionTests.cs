using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>
/// Admission end to end against the API double: a real model-runtime process plays a pod on its own loopback IP (the
/// test plays the kubelet, reporting the pod's IP and ContainersReady), and the operator reads the pod's benchmark
/// from it and sets the readiness gate's condition.
/// </summary>
public sealed class AdmissionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FailingGate_RefusesThePod_WithNodeAndNumbers_AndRelaxingTheGateAdmitsTheSamePod()
    {
        var model = RepoPaths.Of(".artifacts", "sample-models", "mlp.onnx");
        Assert.True(File.Exists(model), $"{model} is missing; run `make sample-models`");
        var ip = $"127.77.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(2, 250)}";
        var port = FreePort.Next(IPAddress.Parse(ip));
        using var runtime = StartRuntime(model, ip, port);
        try
        {
            await using var cluster = await OperatorTestCluster.StartAsync(output);
            await cluster.StartOperatorAsync("a", tweak: o => o with { RuntimePort = port });
            await cluster.CreateAsync(Samples.Model("mlp", edit: s =>
            {
                s.Replicas = new ReplicasSpec { Min = 1, Max = 1 };
                s.Benchmark = new BenchmarkSpec { BatchSizes = [1], Iterations = 20, Gate = new BenchmarkGate { MaxP95Ms = 0.000001 } };
            }));
            var deployment = await Eventually.ValueAsync(() => cluster.DeploymentsOf("mlp").FirstOrDefault(), "the revision Deployment");
            Assert.Equal(WellKnown.AdmittedCondition, deployment.Spec.Template.Spec.ReadinessGates.Single().ConditionType);
            await Eventually.TrueAsync(() => Ready(ip, port), "the runtime to load and benchmark the model", TimeSpan.FromSeconds(90));
            var revision = deployment.Metadata.Labels[WellKnown.RevisionLabel];
            await CreateRunningPodAsync(cluster.Client, "mlp-pod-1", revision, ip);

            var refused = await Eventually.ValueAsync(() => Admitted(cluster.Client, "mlp-pod-1") is { Status: "False" } c ? c : null, "the pod to be refused");
            Assert.Equal("BenchmarkGateFailed", refused.Reason);
            Assert.Contains("Benchmark gate failed on node node-a: p95", refused.Message);
            Assert.Contains("exceeds maxP95Ms 0", refused.Message);
            await Eventually.TrueAsync(() => cluster.Model("mlp")?.Status?.Conditions?.Any(c => c is { Type: "BenchmarkPassed", Status: "False" }) == true, "BenchmarkPassed=False in status");
            var bench = Assert.Single(cluster.Model("mlp")!.Status!.Benchmarks!);
            Assert.Equal((revision, "node-a", 1), (bench.Revision, bench.Node, bench.BatchSize));
            Assert.True(bench.P95Ms > 0);
            Assert.Contains("features=[1,16]", bench.InputShapes);

            await cluster.PatchSpecAsync("mlp", new { benchmark = new { gate = new { maxP95Ms = 10_000 } } });
            await Eventually.TrueAsync(() => Admitted(cluster.Client, "mlp-pod-1")?.Status == "True", "the same pod to be admitted after the gate was relaxed");
            Assert.Equal(revision, cluster.DeploymentsOf("mlp").Single().Metadata.Labels[WellKnown.RevisionLabel]); // no new revision, no restart
            await Eventually.TrueAsync(() => cluster.Model("mlp")?.Status?.Conditions?.Any(c => c is { Type: "BenchmarkPassed", Status: "True" }) == true, "BenchmarkPassed=True in status");
        }
        finally
        {
            runtime.Kill(entireProcessTree: true);
            await runtime.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task CanaryWithAChangedSignature_IsNeverAdmitted_AndRolledBack_WhileStableServes()
    {
        var stableModel = RepoPaths.Of(".artifacts", "sample-models", "mlp.onnx");
        var changedModel = RepoPaths.Of(".artifacts", "sample-models", "mnist-cnn.onnx");
        Assert.True(File.Exists(stableModel) && File.Exists(changedModel), "sample models are missing; run `make sample-models`");
        var third = Random.Shared.Next(1, 250);
        var (stableIp, canaryIp) = ($"127.78.{third}.2", $"127.78.{third}.3");
        var port = FreePort.Next(IPAddress.Parse(stableIp));
        using var stable = StartRuntime(stableModel, stableIp, port);
        using var canary = StartRuntime(changedModel, canaryIp, port);
        try
        {
            await using var cluster = await OperatorTestCluster.StartAsync(output);
            await cluster.StartOperatorAsync("a", tweak: o => o with { RuntimePort = port });
            await cluster.CreateAsync(Samples.Model("mlp", edit: s => s.Replicas = new ReplicasSpec { Min = 1, Max = 2 }));
            var v1 = await Eventually.ValueAsync(() => cluster.DeploymentsOf("mlp").FirstOrDefault(), "the first revision's Deployment");
            await Eventually.TrueAsync(() => Ready(stableIp, port) && Ready(canaryIp, port), "both runtimes to load and benchmark", TimeSpan.FromSeconds(90));
            await CreateRunningPodAsync(cluster.Client, "mlp-v1-pod", v1.Metadata.Labels[WellKnown.RevisionLabel], stableIp);
            await Eventually.TrueAsync(() => Admitted(cluster.Client, "mlp-v1-pod")?.Status == "True", "the first revision's pod to be admitted");
            await cluster.MarkReadyAsync(v1);
            await Eventually.TrueAsync(() => cluster.Model("mlp")?.Status?.StableRevision == v1.Metadata.Labels[WellKnown.RevisionLabel], "the first revision to be stable");

            await cluster.PatchSpecAsync("mlp", new { model = new { uri = "oci://registry.local/models/resnet:2.0" } });
            var v2 = await Eventually.ValueAsync(() => cluster.DeploymentsOf("mlp").FirstOrDefault(d => d.Metadata.Name != v1.Metadata.Name), "the canary Deployment");
            Assert.Equal(1, v2.Spec.Replicas);
            await CreateRunningPodAsync(cluster.Client, "mlp-v2-pod", v2.Metadata.Labels[WellKnown.RevisionLabel], canaryIp);

            var refused = await Eventually.ValueAsync(() => Admitted(cluster.Client, "mlp-v2-pod") is { Status: "False" } c ? c : null, "the canary pod to be refused");
            Assert.Equal("SignatureChanged", refused.Reason);
            Assert.Contains("input 'features' FP32[-1,16] is missing from the new revision", refused.Message);
            await Eventually.TrueAsync(() => cluster.Model("mlp")?.Status?.Conditions?.Any(c => c is { Type: "RolledBack", Status: "True", Reason: "SignatureChanged" }) == true, "RolledBack=True");
            await Eventually.TrueAsync(() => cluster.DeploymentsOf("mlp").Single(d => d.Metadata.Name == v2.Metadata.Name).Spec.Replicas == 0, "the canary scaled to zero");
            var status = cluster.Model("mlp")!.Status!;
            Assert.Equal(v1.Metadata.Labels[WellKnown.RevisionLabel], status.StableRevision);
            Assert.Equal("True", status.Conditions!.Single(c => c.Type == "Ready").Status);
            Assert.Equal("RolledBack", status.History!.Last().Outcome);
        }
        finally
        {
            foreach (var p in new[] { stable, canary }) { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); }
        }
    }

    private static Process StartRuntime(string model, string ip, int port)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = RepoPaths.Of("runtime", "bin", configuration, "net10.0", "model-runtime.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "serve", "--model", model, "--name", "mlp", "--host", ip, "--port", port.ToString(),
            "--bench-batch", "1", "--bench-iterations", "20", "--node", "node-a"])
        {
            RedirectStandardOutput = false, RedirectStandardError = false, UseShellExecute = false,
        };
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "admission-test-cache");
        return Process.Start(start) ?? throw new InvalidOperationException($"{dll} did not start");
    }

    private static bool Ready(string ip, int port)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            return http.GetAsync($"http://{ip}:{port}/v2/health/ready").GetAwaiter().GetResult().IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    // What the scheduler and kubelet would do: the pod bound to node-a, running on its own IP, containers ready.
    private static async Task CreateRunningPodAsync(Kubernetes client, string name, string revision, string ip)
    {
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = ChildObjects.Labels("mlp", revision) },
            Spec = new V1PodSpec
            {
                NodeName = "node-a",
                Containers = [new V1Container { Name = "runtime", Image = "registry.local/model-runtime:test" }],
                ReadinessGates = [new V1PodReadinessGate { ConditionType = WellKnown.AdmittedCondition }],
            },
        }, "default");
        var status = new { status = new { phase = "Running", podIP = ip, conditions = new[]
        {
            new { type = "PodScheduled", status = "True" }, new { type = "ContainersReady", status = "True" }, new { type = "Ready", status = "False" },
        } } };
        await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.StrategicMergePatch), name, "default");
    }

    private static V1PodCondition? Admitted(Kubernetes client, string name) =>
        client.CoreV1.ReadNamespacedPod(name, "default").Status?.Conditions?.FirstOrDefault(c => c.Type == WellKnown.AdmittedCondition);
}
