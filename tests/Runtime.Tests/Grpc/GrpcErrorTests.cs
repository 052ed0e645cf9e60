using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Grpc;

/// <summary>Every refusal is a gRPC status code whose message names the problem, word for word as REST's error does.</summary>
public sealed class GrpcErrorTests
{
    /// <summary>Bad requests to the mnist-cnn model (input FP32 [-1,1,28,28]): the gRPC request and its REST JSON twin.</summary>
    public static TheoryData<string, string> BadRequests() => new()
    {
        { "unknown input", """{"inputs":[{"name":"image","datatype":"FP32","shape":[1,1,28,28]}]}""" },
        { "wrong datatype", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,1,28,28]}]}""" },
        { "wrong shape", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,28,28]}]}""" },
        { "unknown output", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,1,28,28]}],"outputs":[{"name":"logits"}]}""" },
        { "missing input", """{"inputs":[]}""" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task MalformedOrMismatchedRequest_IsInvalidArgument_WithRestsMessage(string problem, string json)
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var (grpcRequest, restBody) = Twins(server.ModelName, JsonNode.Parse(json)!.AsObject());

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcInferenceTests.Client(server).ModelInferAsync(grpcRequest).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var rest = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Raw(restBody));
        var restError = JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();
        Assert.True(restError == error.Status.Detail, $"{problem}: gRPC said '{error.Status.Detail}', REST said '{restError}'");
    }

    [Theory]
    [InlineData(3, "contents.fp32_contents has 3")]
    [InlineData(0, "contents.fp32_contents has 0")]
    public async Task TypedContents_OfTheWrongLength_AreInvalidArgument(int count, string expected)
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var request = MnistRequest(server.ModelName);
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.Fp32Contents.Add(new float[count]);

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcInferenceTests.Client(server).ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("input 'input': shape [1,1,28,28] holds 784 elements but " + expected, error.Status.Detail);
    }

    [Fact]
    public async Task RawContents_OfTheWrongSize_OrCount_AreInvalidArgument()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var client = GrpcInferenceTests.Client(server);
        var shortRaw = MnistRequest(server.ModelName);
        shortRaw.RawInputContents.Add(ByteString.CopyFrom(new byte[100]));
        var twoRaw = MnistRequest(server.ModelName);
        twoRaw.RawInputContents.Add([ByteString.CopyFrom(new byte[3136]), ByteString.CopyFrom(new byte[3136])]);

        var wrongSize = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(shortRaw).ResponseAsync);
        var wrongCount = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(twoRaw).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "input 'input': shape [1,1,28,28] of FP32 needs 3136 bytes but its raw_input_contents has 100"),
            (wrongSize.StatusCode, wrongSize.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, wrongCount.StatusCode);
        Assert.Contains("raw_input_contents has 2 entries but the request has 1 inputs", wrongCount.Status.Detail);
    }

    [Fact]
    public async Task Fp16_InTypedContents_IsInvalidArgument_SayingToSendItRaw()
    {
        var fp16 = ModelOperator.SampleModels.Onnx.OnnxElementType.Float16;
        await using var server = await RunningServer.StartAsync(ModelFiles.Identity(fp16));
        var request = new ModelInferRequest { ModelName = server.ModelName };
        request.Inputs.Add(GrpcSamples.Input(ModelOperator.SampleModels.SampleModelCatalog.IdentityInputName(fp16), "FP16"));

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcInferenceTests.Client(server).ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("FP16 has no typed contents field; send it in raw_input_contents", error.Status.Detail);
    }

    [Fact]
    public async Task UnknownModelOrVersion_IsNotFound()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var client = GrpcInferenceTests.Client(server);
        var otherVersion = MnistRequest(server.ModelName);
        otherVersion.ModelVersion = "7";

        var model = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(MnistRequest("resnet")).ResponseAsync);
        var version = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(otherVersion).ResponseAsync);
        var metadata = await Assert.ThrowsAsync<RpcException>(() => client.ModelMetadataAsync(new ModelMetadataRequest { Name = "resnet" }).ResponseAsync);

        Assert.Equal((StatusCode.NotFound, $"unknown model 'resnet'; this server serves: {server.ModelName}"), (model.StatusCode, model.Status.Detail));
        Assert.Equal((StatusCode.NotFound, $"model '{server.ModelName}' has no version '7'; its version is '1'"), (version.StatusCode, version.Status.Detail));
        Assert.Equal(StatusCode.NotFound, metadata.StatusCode);
    }

    [Fact]
    public async Task MessageOverTheBodyLimit_IsResourceExhausted()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.MnistCnn, BenchIterations = 0, MaxBodyBytes = 1 << 20 });
        var request = MnistRequest(server.ModelName);
        request.Inputs[0].Shape[0] = 400; // 400 images of 3136 bytes: 1.2 MiB
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[400 * 3136]));

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcInferenceTests.Client(server).ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task ModelThatFailedToLoad_IsUnavailable_AndHealthSaysNotServing()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");
        await using var server = await RunningServer.StartAsync(new ServeOptions { Model = missing, BenchIterations = 0 }, waitReady: false);
        await Assert.ThrowsAnyAsync<Exception>(() => server.Server.Loading);
        var client = GrpcInferenceTests.Client(server);

        var infer = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(MnistRequest(server.ModelName)).ResponseAsync);
        var metadata = await Assert.ThrowsAsync<RpcException>(() => client.ModelMetadataAsync(new ModelMetadataRequest { Name = server.ModelName }).ResponseAsync);
        var health = await new global::Grpc.Health.V1.Health.HealthClient(server.Grpc).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());
        var ready = await client.ServerReadyAsync(new ServerReadyRequest());

        Assert.Equal(StatusCode.Unavailable, infer.StatusCode);
        Assert.Contains($"model '{server.ModelName}' is not ready (failed)", infer.Status.Detail);
        Assert.Equal(StatusCode.Unavailable, metadata.StatusCode);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        Assert.False(ready.Ready);
    }

    private static ModelInferRequest MnistRequest(string model)
    {
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32" };
        input.Shape.Add([1, 1, 28, 28]);
        request.Inputs.Add(input);
        return request;
    }

    /// <summary>The gRPC request (zero-filled raw contents) and the REST JSON body (zero-filled data) for one description.</summary>
    private static (ModelInferRequest Grpc, string RestBody) Twins(string model, JsonObject description)
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var node in description["inputs"]!.AsArray())
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = node!["name"]!.GetValue<string>(), Datatype = node["datatype"]!.GetValue<string>() };
            var shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            input.Shape.Add(shape);
            request.Inputs.Add(input);
            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[count * (input.Datatype == "FP64" ? 8 : 4)]));
            node.AsObject()["data"] = new JsonArray(Enumerable.Repeat(0, count).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }
        foreach (var node in description["outputs"]?.AsArray() ?? [])
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = node!["name"]!.GetValue<string>() });
        return (request, description.ToJsonString());
    }
}
