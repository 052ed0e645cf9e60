using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary><c>model-runtime infer --grpc</c> run as a user runs it: its own process against a real server.</summary>
public sealed class InferGrpcCommandTests
{
    [Fact]
    public async Task InferGrpc_SendsRawAndTypedRequests_AndPrintsTheOutputs()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);

        var (code, stdout, stderr) = await RunAsync("infer", "--grpc", "--url", server.Server.GrpcAddress!.ToString(), "--name", server.ModelName, "--requests", "3");

        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("raw request", stdout);
        Assert.Contains("typed request", stdout);
        Assert.Contains("probabilities FP32 [1,10]", stdout);
        Assert.Contains("Timing 3 sequential requests", stdout);
    }

    [Fact]
    public async Task InferGrpc_ForAnUnknownModel_ExitsWithCode1_AndOneLineSayingWhy()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);

        var (code, _, stderr) = await RunAsync("infer", "--grpc", "--url", server.Server.GrpcAddress!.ToString(), "--name", "resnet", "--requests", "0");

        Assert.Equal(1, code);
        Assert.Equal($"model-runtime infer: the gRPC server at {server.Server.GrpcAddress} answered NotFound: unknown model 'resnet'; this server serves: {server.ModelName}",
            stderr.Trim());
    }

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => HelpAndVersionTests.RunAsync(args);
}
