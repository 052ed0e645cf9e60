using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary><c>model-runtime infer</c> over REST, run as a user runs it: its own process against a real server.</summary>
public sealed class InferCommandTests
{
    [Fact]
    public async Task Infer_SendsJsonAndBinaryRequests_AndPrintsTheOutputs()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);

        var (code, stdout, stderr) = await HelpAndVersionTests.RunAsync("infer", "--url", server.Server.BaseAddress.ToString(), "--name", server.ModelName, "--requests", "2");

        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("JSON request", stdout);
        Assert.Contains("binary request", stdout);
        Assert.Contains("probabilities FP32 [1,10]", stdout);
    }

    [Fact]
    public async Task Infer_ForAnUnknownModel_ExitsWithCode1_AndOneLineSayingWhy()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);

        var (code, _, stderr) = await HelpAndVersionTests.RunAsync("infer", "--url", server.Server.BaseAddress.ToString(), "--name", "resnet", "--requests", "0");

        Assert.Equal(1, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("model-runtime infer: GET /v2/models/resnet answered 404: ", stderr);
        Assert.Contains($"unknown model 'resnet'; this server serves: {server.ModelName}", stderr);
    }
}
