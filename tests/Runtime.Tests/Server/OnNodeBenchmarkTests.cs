using System.Text.Json.Nodes;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>The benchmark a pod runs on its node before turning ready, as the operator reads it.</summary>
public sealed class OnNodeBenchmarkTests
{
    [Fact]
    public async Task BenchmarkEndpoint_ReportsEachBatchSize_WithProviderDeviceAndNode_OnceReady()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions
        {
            Model = ModelFiles.MnistCnn, BenchBatchSizes = [1, 8], BenchIterations = 20, BenchWarmup = 2, Node = "gpu-node-7",
        });

        var report = JsonNode.Parse(await server.Http.GetStringAsync($"/v2/models/{server.ModelName}/benchmark"))!;

        Assert.Equal("mnist-cnn", report["model"]!.GetValue<string>());
        Assert.Equal("completed", report["status"]!.GetValue<string>());
        // A local file: read in place, no node cache, nothing pulled.
        Assert.Equal("off", report["modelSource"]!["cache"]!.GetValue<string>());
        Assert.Equal(0, report["modelSource"]!["bytesPulled"]!.GetValue<long>());
        // Where the start went, by the runtime's own clock: every part measured once the model is ready.
        var startup = report["startup"]!;
        foreach (var part in (string[])["processSeconds", "fetchSeconds", "loadSeconds", "benchmarkSeconds"])
            Assert.True(startup[part]?.GetValue<double>() >= 0, $"startup.{part} missing: {startup.ToJsonString()}");
        Assert.True(startup["loadSeconds"]!.GetValue<double>() > 0 && startup["benchmarkSeconds"]!.GetValue<double>() > 0, startup.ToJsonString());
        var results = report["results"]!.AsArray();
        Assert.Equal([1, 8], results.Select(r => r!["batchSize"]!.GetValue<int>()));
        foreach (var r in results)
        {
            var p50 = r!["p50Ms"]!.GetValue<double>();
            var p95 = r["p95Ms"]!.GetValue<double>();
            var p99 = r["p99Ms"]!.GetValue<double>();
            Assert.True(p50 > 0 && p50 <= p95 && p95 <= p99, $"percentiles out of order: p50={p50} p95={p95} p99={p99}");
            Assert.True(r["throughput"]!.GetValue<double>() > 0);
            Assert.False(string.IsNullOrEmpty(r["provider"]!.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(r["device"]!.GetValue<string>()));
            Assert.Equal("gpu-node-7", r["node"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task ZeroIterations_SkipsTheBenchmark_AndTurnsReady()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.Mlp, BenchIterations = 0 });

        var report = JsonNode.Parse(await server.Http.GetStringAsync($"/v2/models/{server.ModelName}/benchmark"))!;

        Assert.Equal("skipped", report["status"]!.GetValue<string>());
        Assert.Empty(report["results"]!.AsArray());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.Http.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task StaticBatchModel_IsBenchmarkedAtItsOwnBatchSize()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions
        {
            Model = ModelFiles.StaticBatch, BenchBatchSizes = [1, 8, 32], BenchIterations = 5, BenchWarmup = 0, MaxBatch = 8,
        });

        var report = JsonNode.Parse(await server.Http.GetStringAsync($"/v2/models/{server.ModelName}/benchmark"))!;
        var metadata = JsonNode.Parse(await server.Http.GetStringAsync($"/v2/models/{server.ModelName}"))!;

        Assert.Equal([1], report["results"]!.AsArray().Select(r => r!["batchSize"]!.GetValue<int>()));
        Assert.False(metadata["parameters"]!["dynamic_batching"]!.GetValue<bool>());
    }
}
