using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Grpc;

/// <summary>
/// What a hostile gRPC client sends that has no REST twin (issue 24): malformed protobuf, calls with no message or one
/// that never arrives, a huge model name. Each is answered with a status that names the problem, none is logged as an
/// error, and good calls go on being answered.
/// </summary>
public sealed class GrpcHostileTests : IClassFixture<GrpcHostileTests.MlpServer>
{
    private readonly RunningServer _server;

    public GrpcHostileTests(MlpServer fixture) => _server = fixture.Server;

    /// <summary>One mlp server whose calls get one second to deliver their message.</summary>
    public sealed class MlpServer : IAsyncLifetime
    {
        internal RunningServer Server { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.Mlp, BenchIterations = 0, GrpcMessageTimeout = TimeSpan.FromSeconds(1) });

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    /// <summary>ModelInfer with the request message as raw bytes, so that it can be anything.</summary>
    private static readonly Method<byte[], byte[]> RawModelInfer = new(MethodType.Unary, "inference.GRPCInferenceService", "ModelInfer",
        Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    /// <summary>ModelInfer called as if it took a stream of messages, so that a call can send none, or none yet.</summary>
    private static readonly Method<byte[], byte[]> StreamedModelInfer = new(MethodType.ClientStreaming, "inference.GRPCInferenceService", "ModelInfer",
        Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    public static TheoryData<string, byte[]> MalformedMessages() => new()
    {
        { "varint of eleven bytes", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { "length past the end", [0x0A, 0x7F, (byte)'m', (byte)'l', (byte)'p'] },
        { "a group ended by another field's end", [0x0B, 0x14] },
        { "an unterminated group", [0x9B, 0x06, 0x08, 0x01] },
        { "field number 0", [0x00, 0x01] },
        { "invalid UTF-8 in model_name", [0x0A, 0x02, 0xC3, 0x28] },
        { "groups nested 200 deep", [.. Enumerable.Repeat(new byte[] { 0x9B, 0x06 }, 200).SelectMany(b => b), .. Enumerable.Repeat(new byte[] { 0x9C, 0x06 }, 200).SelectMany(b => b)] },
    };

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task MalformedProtobuf_IsInvalidArgument_NotLoggedAsAnError(string problem, byte[] message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Grpc.CreateCallInvoker().AsyncUnaryCall(RawModelInfer, null, new CallOptions(), message).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{problem}: {error.StatusCode} '{error.Status.Detail}'");
        Assert.StartsWith("the request message is not valid protobuf", error.Status.Detail);
        Assert.Empty(_server.Logs.Errors);
        await AssertStillServingAsync(GrpcInferenceTests.Client(_server));
    }

    [Fact]
    public async Task HugeModelName_ComesBackCut_AsNotFound_NotAsOversizedMetadata()
    {
        var request = new ModelInferRequest { ModelName = new string('m', 1_000_000) };

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcInferenceTests.Client(_server).ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Matches(@"^unknown model 'm{256}… \(999744 more characters cut\)'; this server serves: mlp$", error.Status.Detail);
    }

    [Fact]
    public async Task CallEndingInsideItsMessage_IsInvalidArgument()
    {
        using var http = new HttpClient(new SocketsHttpHandler());

        var (status, message) = await RawCallAsync(http, new ByteArrayContent([0, 0, 0, 0, 100, 0x0A]));

        Assert.Equal(((int)StatusCode.InvalidArgument).ToString(), status);
        Assert.Equal("the call ended inside its request message (6 bytes of 105)", message);
    }

    [Fact]
    public async Task IdleStreams_AreAnsweredDeadlineExceeded_AndGoodCallsOnTheSameConnectionAreServed()
    {
        // One connection for everything: 150 calls that never send their message (more than the server's 100 streams
        // per connection, so the last 50 wait for a stream), then a good call behind them.
        using var channel = GrpcChannel.ForAddress(_server.Server.GrpcAddress!, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false }, DisposeHttpClient = true,
        });
        var idle = Enumerable.Range(0, 150).Select(_ => channel.CreateCallInvoker().AsyncClientStreamingCall(StreamedModelInfer, null, new CallOptions())).ToList();

        await AssertStillServingAsync(new GRPCInferenceService.GRPCInferenceServiceClient(channel));
        var answers = await Task.WhenAll(idle.Select(async call =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
            return (error.StatusCode, error.Status.Detail);
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(answers, a => Assert.Equal((StatusCode.DeadlineExceeded, "the call did not deliver its request message and end its stream within 1 s"), a));
        Assert.Empty(_server.Logs.Errors);
        foreach (var call in idle) call.Dispose();
    }

    [Fact]
    public async Task CallEndedWithoutAMessage_IsInvalidArgument()
    {
        using var call = _server.Grpc.CreateCallInvoker().AsyncClientStreamingCall(StreamedModelInfer, null, new CallOptions());
        await call.RequestStream.CompleteAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "the call ended without a request message"), (error.StatusCode, error.Status.Detail));
    }

    private async Task<(string? Status, string? Message)> RawCallAsync(HttpClient http, HttpContent content)
    {
        content.Headers.ContentType = new("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Server.GrpcAddress!, "/inference.GRPCInferenceService/ModelInfer"))
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = content,
        };
        request.Headers.TE.Add(new("trailers"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) => response.Headers.TryGetValues(name, out var v) || response.TrailingHeaders.TryGetValues(name, out v) ? v.Single() : null;
        return (Header("grpc-status"), Header("grpc-message") is { } m ? Uri.UnescapeDataString(m) : null);
    }

    private static async Task AssertStillServingAsync(GRPCInferenceService.GRPCInferenceServiceClient client)
    {
        var request = new ModelInferRequest { ModelName = "mlp" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "features", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add([1, 16]);
        input.Contents.Fp32Contents.Add(new float[16]);
        request.Inputs.Add(input);
        var response = await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.Equal("scores", response.Outputs.Single().Name);
    }
}
