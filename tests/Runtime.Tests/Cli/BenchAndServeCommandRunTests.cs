using System.Text.Json.Nodes;
using ModelOperator.Cli;
using ModelOperator.Runtime.Cli;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary>The bench and serve commands run end to end, as a user types them.</summary>
public sealed class BenchAndServeCommandRunTests
{
    private static Task<int> RunAsync(params string[] words) => CommandLine.Parse(words).InvokeAsync(CliConventions.Invocation);

    [Fact]
    public async Task Bench_WritesAResultPerBatchSize_ToTheJsonFile()
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        try
        {
            var code = await RunAsync(
                "bench", "--model", ModelFiles.Mlp, "--batch", "1,4", "--duration", "0.3", "--concurrency", "2", "--device", "cpu", "--json", json);

            Assert.Equal(0, code);
            var report = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
            Assert.Equal("mlp", report["model"]!.GetValue<string>());
            var results = report["results"]!.AsArray();
            Assert.Equal([1, 4], results.Select(r => r!["batchSize"]!.GetValue<int>()));
            Assert.All(results, r => Assert.True(r!["throughput"]!.GetValue<double>() > 0));
            Assert.All(results, r => Assert.Equal("CPU", r!["provider"]!.GetValue<string>()));
        }
        finally { File.Delete(json); }
    }

    [Fact]
    public async Task Serve_WithAModelThatDoesNotExist_ExitsWithCode1()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");

        var run = RunAsync("serve", "--model", missing, "--host", "127.0.0.1", "--port", "0", "--grpc-port", "0");
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));

        Assert.True(finished == run, "serve did not exit within 60 s after failing to load its model");
        Assert.Equal(1, await run);
    }
}
