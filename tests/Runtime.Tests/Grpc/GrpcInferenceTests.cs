using System.Net;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.Grpc;

/// <summary>
/// OIP v2 over gRPC against the real server: the same answers REST gives and plain ONNX Runtime computes, for raw and
/// typed contents, with the request's id and requested outputs.
/// </summary>
public sealed class GrpcInferenceTests
{
    private static float[] Image(int seed) => Enumerable.Range(0, 784).Select(i => (float)((i * 7 + seed * 13) % 255) / 255f).ToArray();

    public static TheoryData<string> TypedDatatypes() =>
        new(SampleModelCatalog.IdentityDatatypes.Select(d => d.Datatype).Where(d => GrpcSamples.ByDatatype[d].Typed is not null));

    [Fact]
    public async Task RawContents_EveryDatatype_ComeBackBitForBit_AsRestBinaryDoes()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.AllDatatypes);
        var request = new ModelInferRequest { ModelName = server.ModelName, Id = "raw-1" };
        foreach (var (type, datatype) in SampleModelCatalog.IdentityDatatypes)
        {
            request.Inputs.Add(GrpcSamples.Input(SampleModelCatalog.IdentityInputName(type), datatype));
            request.RawInputContents.Add(ByteString.CopyFrom(GrpcSamples.ByDatatype[datatype].Raw));
        }

        var response = await Client(server).ModelInferAsync(request);

        Assert.Equal("raw-1", response.Id);
        Assert.Equal(server.ModelName, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal(response.Outputs.Count, response.RawOutputContents.Count);
        var rest = await RestBinaryAsync(server, request);
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var output = response.Outputs[i];
            var type = SampleModelCatalog.IdentityDatatypes.Single(d => SampleModelCatalog.IdentityOutputName(d.Type) == output.Name);
            Assert.Equal(type.Datatype, output.Datatype);
            Assert.Equal([2L, 2L], output.Shape);
            Assert.Null(output.Contents);
            Assert.Equal(GrpcSamples.ByDatatype[type.Datatype].Raw, response.RawOutputContents[i].ToByteArray());
            Assert.Equal(rest[output.Name], response.RawOutputContents[i].ToByteArray());
        }
    }

    [Theory]
    [MemberData(nameof(TypedDatatypes))]
    public async Task TypedContents_ComeBackTyped_AndEqualTheRawEncoding(string datatype)
    {
        var type = SampleModelCatalog.IdentityDatatypes.Single(d => d.Datatype == datatype).Type;
        await using var server = await RunningServer.StartAsync(ModelFiles.Identity(type));
        var request = new ModelInferRequest { ModelName = server.ModelName };
        request.Inputs.Add(GrpcSamples.TypedInput(SampleModelCatalog.IdentityInputName(type), datatype));

        var response = await Client(server).ModelInferAsync(request);

        Assert.Empty(response.RawOutputContents);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(datatype, output.Datatype);
        Assert.Equal([2L, 2L], output.Shape);
        var expected = new InferTensorContents();
        GrpcSamples.ByDatatype[datatype].Typed!(expected);
        Assert.Equal(expected, output.Contents);
    }

    [Fact]
    public async Task TypedFp32_OnMnistCnn_MatchesPlainOnnxRuntime_AndRestJson()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var image = Image(1);
        var request = new ModelInferRequest { ModelName = server.ModelName, Id = "request-1" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add([1, 1, 28, 28]);
        input.Contents.Fp32Contents.Add(image);
        request.Inputs.Add(input);

        var response = await Client(server).ModelInferAsync(request);

        Assert.Equal("request-1", response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("probabilities", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([1L, 10L], output.Shape);
        var expected = PlainOnnxRuntime.RunFloat(ModelFiles.MnistCnn, "input", image, [1, 1, 28, 28], "probabilities");
        PlainOnnxRuntime.AssertClose(expected, output.Contents.Fp32Contents.ToArray());
        var rest = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(new
        {
            inputs = new[] { new { name = "input", shape = new[] { 1, 1, 28, 28 }, datatype = "FP32", data = image } },
        }));
        var (json, _) = await OipJson.ReadAsync(rest);
        Assert.Equal(OipJson.Floats(OipJson.Output(json, "probabilities")), output.Contents.Fp32Contents.ToArray());
    }

    [Fact]
    public async Task RawFp32BatchOfTwo_OnMnistCnn_MatchesPlainOnnxRuntime()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var images = Image(2).Concat(Image(3)).ToArray();
        var request = new ModelInferRequest { ModelName = server.ModelName };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32" };
        input.Shape.Add([2, 1, 28, 28]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(images.AsSpan())));

        var response = await Client(server).ModelInferAsync(request);

        var served = MemoryMarshal.Cast<byte, float>(response.RawOutputContents.Single().Span).ToArray();
        PlainOnnxRuntime.AssertClose(PlainOnnxRuntime.RunFloat(ModelFiles.MnistCnn, "input", images, [2, 1, 28, 28], "probabilities"), served);
    }

    [Fact]
    public async Task RequestedOutputs_AreTheOnlyOnesReturned_InTheirOrder_WithParametersAccepted()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MultiIo);
        var request = new ModelInferRequest { ModelName = server.ModelName };
        request.Parameters["priority"] = new InferParameter { Int64Param = 1 };
        request.Inputs.Add(Floats("a", 1, 2, 3, 4, 5, 6));
        request.Inputs.Add(Floats("b", 3, 2, 1, 0, 10, 0));
        var count = new ModelInferRequest.Types.InferInputTensor { Name = "count", Datatype = "INT32", Contents = new InferTensorContents() };
        count.Shape.Add([2, 1]);
        count.Contents.IntContents.Add([41, -1]);
        request.Inputs.Add(count);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "next_count" });
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "greater" });

        var response = await Client(server).ModelInferAsync(request);

        Assert.Equal(["next_count", "greater"], response.Outputs.Select(o => o.Name));
        Assert.Equal([42, 0], response.Outputs[0].Contents.IntContents);
        Assert.Equal([false, false, true, true, false, true], response.Outputs[1].Contents.BoolContents);
    }

    [Fact]
    public async Task InferOverGrpc_IsCountedInTheSameRequestMetrics_AsRest()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MultiIo);
        var request = new ModelInferRequest { ModelName = server.ModelName };
        request.Inputs.Add(Floats("a", 1, 2, 3));

        await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => Client(server).ModelInferAsync(request).ResponseAsync);
        request.Inputs.Add(Floats("b", 1, 2, 3));
        var count = new ModelInferRequest.Types.InferInputTensor { Name = "count", Datatype = "INT32", Contents = new InferTensorContents() };
        count.Shape.Add([1, 1]);
        count.Contents.IntContents.Add(1);
        request.Inputs.Add(count);
        await Client(server).ModelInferAsync(request);

        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Contains($"modelruntime_requests_total{{model=\"{server.ModelName}\",outcome=\"success\"}} 1", metrics);
        Assert.Contains($"modelruntime_requests_total{{model=\"{server.ModelName}\",outcome=\"client_error\"}} 1", metrics);
        Assert.Contains($"modelruntime_request_duration_seconds_count{{model=\"{server.ModelName}\",outcome=\"success\"}} 1", metrics);
    }

    internal static GRPCInferenceService.GRPCInferenceServiceClient Client(RunningServer server) => new(server.Grpc);

    private static ModelInferRequest.Types.InferInputTensor Floats(string name, params float[] values)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add([values.Length / 3, 3]);
        input.Contents.Fp32Contents.Add(values);
        return input;
    }

    /// <summary>The same raw request over REST with Triton's binary extension; each output's bytes by name.</summary>
    private static async Task<Dictionary<string, byte[]>> RestBinaryAsync(RunningServer server, ModelInferRequest request)
    {
        var header = new
        {
            inputs = request.Inputs.Select((input, i) => new
            {
                name = input.Name, datatype = input.Datatype, shape = input.Shape.ToArray(),
                parameters = new { binary_data_size = request.RawInputContents[i].Length },
            }),
            parameters = new { binary_data_output = true },
        };
        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer",
            OipJson.Binary(header, request.RawInputContents.Select(r => r.ToByteArray()).ToArray()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await OipJson.ReadAsync(response)).Binary;
    }
}
