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

    [Fact]
    public async Task InferGrpc_AgainstAStoppedServer_ExitsWithCode1_AndOneLineSayingWhatToCheck()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        var (code, _, stderr) = await RunAsync("infer", "--grpc", "--url", $"http://127.0.0.1:{port}", "--name", "mlp", "--requests", "0");

        Assert.Equal(1, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"model-runtime infer: cannot reach the gRPC server at http://127.0.0.1:{port}/ (", stderr);
        Assert.EndsWith("is it running, and is --url its gRPC port (serve --grpc-port, default 8081)?", stderr.Trim());
        Assert.DoesNotContain("   at ", stderr);
    }

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => HelpAndVersionTests.RunAsync(args);
}
