using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Grpc;

/// <summary>What probes and tools see on the gRPC port: health, readiness, metadata and reflection.</summary>
public sealed class GrpcHealthAndReflectionTests
{
    [Fact]
    public async Task ReadyServer_IsServing_ForKubernetesProbes_AndTheInferenceService()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var health = new Health.HealthClient(server.Grpc);

        var probe = await health.CheckAsync(new HealthCheckRequest());
        var service = await health.CheckAsync(new HealthCheckRequest { Service = "inference.GRPCInferenceService" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, probe.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, service.Status);
    }

    [Fact]
    public async Task LivenessReadinessAndMetadata_AnswerAsRestDoes()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var client = GrpcInferenceTests.Client(server);

        var live = await client.ServerLiveAsync(new ServerLiveRequest());
        var ready = await client.ServerReadyAsync(new ServerReadyRequest());
        var modelReady = await client.ModelReadyAsync(new ModelReadyRequest { Name = server.ModelName, Version = "1" });
        var serverMetadata = await client.ServerMetadataAsync(new ServerMetadataRequest());
        var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = server.ModelName });

        Assert.True(live.Live);
        Assert.True(ready.Ready);
        Assert.True(modelReady.Ready);
        Assert.Equal("model-runtime", serverMetadata.Name);
        Assert.Contains("binary_tensor_data", serverMetadata.Extensions);
        Assert.Equal((server.ModelName, "onnx_onnxv1"), (metadata.Name, metadata.Platform));
        Assert.Equal(["1"], metadata.Versions);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("input", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 1L, 28L, 28L], input.Shape);
        Assert.Equal(["probabilities"], metadata.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task Reflection_ListsTheInferenceAndHealthServices_AsGrpcurlWould()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var reflection = new ServerReflection.ServerReflectionClient(server.Grpc);

        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "reflection sent no answer to list_services");
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("inference.GRPCInferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
