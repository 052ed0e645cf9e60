using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace ModelOperator.Runtime.Tests.Grpc;

/// <summary>
/// The memory limits REST enforces hold over gRPC (issue 24), measured as the kernel accounts the server's process
/// (a <c>model-runtime serve</c> child, so the client's own buffers do not count): peak resident set (VmHWM) under the
/// load, and resident set after it.
/// </summary>
public sealed class GrpcMemoryLimitTests(ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task SixteenConcurrent60MiBCalls_PastTheInflightLimit_AreRefusedUnavailable_AndPeakMemoryStaysBounded()
    {
        var log = Path.Combine(Path.GetTempPath(), $"grpc-inflight-{Guid.NewGuid():N}.log");
        try
        {
            await using var server = await ServerProcess.StartAsync(
                ["--model", ModelFiles.Identity(OnnxElementType.Float), "--device", "cpu", "--bench-iterations", "0", "--no-warm-up",
                 "--max-inflight-bytes", "134217728"], log, CancellationToken.None);
            using var channel = GrpcChannel.ForAddress(server.GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            var before = server.ResidentBytes;
            var request = Fp32Request(60 * MiB);

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => CallAsync(client, request)));
            var peak = server.PeakResidentBytes;
            var afterwards = await CallAsync(client, Fp32Request(64));
            var settled = await ResidentBelowAsync(server, before + 200 * MiB, TimeSpan.FromSeconds(60));

            output.WriteLine($"resident before {before / MiB} MiB, peak {peak / MiB} MiB, after the load {settled / MiB} MiB; " +
                $"{outcomes.Count(o => o.Code == StatusCode.OK)} answered, {outcomes.Count(o => o.Code == StatusCode.Unavailable)} refused");
            Assert.All(outcomes, o => Assert.True(o.Code == StatusCode.OK
                || (o.Code == StatusCode.Unavailable && o.Detail.Contains("--max-inflight-bytes") && o.Pushback == "1000"), $"{o.Code} '{o.Detail}' pushback {o.Pushback}"));
            Assert.Contains(outcomes, o => o.Code == StatusCode.OK);
            Assert.Contains(outcomes, o => o.Code == StatusCode.Unavailable);
            Assert.Equal(StatusCode.OK, afterwards.Code);
            // Unbounded, the sixteen took 2.77 GB; REST under the same limit peaked at 535 MB.
            Assert.True(peak < before + 600 * MiB, $"peak resident set {peak / MiB} MiB, from {before / MiB} MiB before the load");
            Assert.True(settled < before + 200 * MiB, $"resident set {settled / MiB} MiB a minute after the load, from {before / MiB} MiB before it");
        }
        finally { File.Delete(log); }
    }

    [Fact]
    public async Task BytesInputOfTwoMillionElements_IsInvalidArgument_BeforeItsElementsAreMade()
    {
        var log = Path.Combine(Path.GetTempPath(), $"grpc-bytes-{Guid.NewGuid():N}.log");
        try
        {
            await using var server = await ServerProcess.StartAsync(
                ["--model", ModelFiles.Identity(OnnxElementType.String), "--device", "cpu", "--bench-iterations", "0", "--no-warm-up"], log, CancellationToken.None);
            using var channel = GrpcChannel.ForAddress(server.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            var name = SampleModelCatalog.IdentityInputName(OnnxElementType.String);
            var request = new ModelInferRequest { ModelName = Path.GetFileNameWithoutExtension(ModelFiles.Identity(OnnxElementType.String)) };
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "BYTES", Contents = new InferTensorContents() };
            input.Shape.Add([1, 2_000_000]);
            var x = ByteString.CopyFromUtf8("x");
            input.Contents.BytesContents.Add(Enumerable.Repeat(x, 2_000_000));
            request.Inputs.Add(input);
            var before = server.ResidentBytes;

            var outcome = await CallAsync(client, request);
            var peak = server.PeakResidentBytes;

            output.WriteLine($"resident before {before / MiB} MiB, peak {peak / MiB} MiB");
            Assert.Equal(StatusCode.InvalidArgument, outcome.Code);
            Assert.Equal($"input '{name}': contents.bytes_contents holds 2000000 BYTES elements, over the limit of 1048576", outcome.Detail);
            // Unchecked, the elements took the server from 125 MB to 501 MB; counted on the wire before parsing, about 10 MB.
            Assert.True(peak < before + 100 * MiB, $"peak resident set {peak / MiB} MiB, from {before / MiB} MiB before the call");
        }
        finally { File.Delete(log); }
    }

    private static ModelInferRequest Fp32Request(long bytes)
    {
        var request = new ModelInferRequest { ModelName = Path.GetFileNameWithoutExtension(ModelFiles.Identity(OnnxElementType.Float)) };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = SampleModelCatalog.IdentityInputName(OnnxElementType.Float), Datatype = "FP32" };
        input.Shape.Add([1, bytes / 4]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(new byte[bytes]));
        return request;
    }

    private static async Task<(StatusCode Code, string Detail, string? Pushback)> CallAsync(GRPCInferenceService.GRPCInferenceServiceClient client, ModelInferRequest request)
    {
        try
        {
            await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddMinutes(2));
            return (StatusCode.OK, "", null);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail, e.Trailers.GetValue("grpc-retry-pushback-ms"));
        }
    }

    /// <summary>Waits (bounded) until the server's resident set is below <paramref name="bytes"/>; returns the last reading.</summary>
    private static async Task<long> ResidentBelowAsync(ServerProcess server, long bytes, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var resident = server.ResidentBytes;
            if (resident < bytes || DateTime.UtcNow > deadline) return resident;
            await Task.Delay(250);
        }
    }
}
