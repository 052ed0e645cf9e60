using System.Diagnostics;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary><c>/metrics</c> after real traffic: the runtime's series are there and <c>promtool check metrics</c> accepts them.</summary>
public sealed class MetricsEndpointTests
{
    private static async Task<string> ScrapeAfterTrafficAsync(RunningServer server)
    {
        var url = $"/v2/models/{server.ModelName}/infer";
        var good = new { inputs = new[] { new { name = "features", shape = new[] { 2, 16 }, datatype = "FP32", data = new float[32] } } };
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => server.Http.PostAsync(url, OipJson.Json(good))));
        await server.Http.PostAsync(url, OipJson.Raw("{"));
        return await server.Http.GetStringAsync("/metrics");
    }

    [Fact]
    public async Task Metrics_ExportRequestsLatencyQueueBatchInFlightLoadProviderAndBenchmark()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions
        {
            Model = ModelFiles.Mlp, MaxBatch = 8, BenchIterations = 5, BenchWarmup = 1, BenchBatchSizes = [1, 4], Node = "node-a",
        });

        var text = await ScrapeAfterTrafficAsync(server);

        Assert.Contains("modelruntime_requests_total{model=\"mlp\",outcome=\"success\"} 8", text);
        Assert.Contains("modelruntime_requests_total{model=\"mlp\",outcome=\"client_error\"} 1", text);
        Assert.Contains("modelruntime_request_duration_seconds_bucket{model=\"mlp\",outcome=\"success\",le=\"+Inf\"} 8", text);
        Assert.Contains("modelruntime_queue_duration_seconds_count{model=\"mlp\"}", text);
        Assert.Contains("modelruntime_batch_size_sum{model=\"mlp\"}", text);
        Assert.Contains("modelruntime_inflight_requests{model=\"mlp\"} 0", text);
        Assert.Contains("modelruntime_model_load_seconds{model=\"mlp\"}", text);
        Assert.Matches("modelruntime_execution_provider_info\\{model=\"mlp\",provider=\"(CPU|CUDA)\",device=\"[^\"]+\",reason=\"[^\"]+\"\\} 1", text);
        Assert.Contains("modelruntime_benchmark_latency_seconds{model=\"mlp\",batch_size=\"4\",percentile=\"p95\"", text);
        Assert.Contains("modelruntime_benchmark_throughput_inferences_per_second{model=\"mlp\",batch_size=\"1\"", text);
        Assert.Contains("node=\"node-a\"", text);
        // A local file: no node cache, nothing pulled.
        Assert.Contains("modelruntime_model_fetches_total{model=\"mlp\",cache=\"off\"} 1", text);
        Assert.Contains("modelruntime_model_pulled_bytes_total{model=\"mlp\"} 0", text);
    }

    [Fact]
    public async Task Metrics_PassPromtoolCheckMetrics()
    {
        var promtool = FindOnPath("promtool");
        if (promtool is null)
        {
            // make test installs the Debian 'prometheus' package, which has promtool; a bare dotnet test may not.
            Console.WriteLine("SKIPPED promtool check: promtool is not on PATH (install the Debian package 'prometheus')");
            return;
        }
        await using var server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.Mlp, MaxBatch = 4, BenchIterations = 3, BenchWarmup = 0 });
        var text = await ScrapeAfterTrafficAsync(server);

        using var process = Process.Start(new ProcessStartInfo(promtool, "check metrics")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"promtool check metrics failed:\n{await output}{await errors}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
