using Grpc.Core;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Shadow;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// KServe's <c>inference.GRPCInferenceService</c> (OIP v2 over gRPC). It only translates: models come from the same
/// <see cref="ModelRegistry"/>, requests run through the same runner (direct or dynamic batching) as REST, and errors
/// are the same <see cref="ProtocolException"/>s, which <see cref="GrpcErrorInterceptor"/> turns into status codes. It is
/// bound by <see cref="GrpcInferenceMethods"/>, whose request decoding refuses malformed protobuf as a client's mistake.
/// </summary>
internal sealed class GrpcInferenceService(ModelRegistry registry, ServeOptions options, ShadowMirror mirror) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = registry.Models.All(m => m.State == ModelState.Ready) });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = Find(request.Name, request.Version).State == ModelState.Ready });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = MetadataEndpoints.ServerName, Version = MetadataEndpoints.ServerVersion };
        response.Extensions.AddRange(MetadataEndpoints.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var served = Find(request.Name, request.Version);
        var model = served.Model ?? throw ProtocolException.Unavailable(
            $"model '{served.Name}' is {served.State.ToString().ToLowerInvariant()}{(served.Failure is null ? "" : ": " + served.Failure)}");
        var response = new ModelMetadataResponse { Name = served.Name, Platform = MetadataEndpoints.Platform };
        response.Versions.Add(served.Version);
        response.Inputs.AddRange(model.Inputs.Select(Describe));
        response.Outputs.AddRange(model.Outputs.Select(Describe));
        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var served = Find(request.ModelName, request.ModelVersion);
        if (!served.Serving || served.Model is not { } model || served.Runner is not { } runner)
            throw ProtocolException.Unavailable($"model '{served.Name}' is not ready ({served.State.ToString().ToLowerInvariant()})");
        InferRequest inferRequest;
        served.BeginArrival();
        try { inferRequest = GrpcRequestReader.Read(request, model, options.Limits); }
        finally { served.EndArrival(); }
        using (inferRequest)
        {
            var outputs = await runner.RunAsync(inferRequest, context.CancellationToken);
            try
            {
                if (mirror.Sample(grpc: true) is { } target) MirrorAfterAnswer(context, served, request, inferRequest.Id, outputs, target);
                return GrpcResponseWriter.Write(served.Name, served.Version, inferRequest.Id, request.RawInputContents.Count > 0, outputs);
            }
            finally
            {
                foreach (var o in outputs) o.Dispose();
            }
        }
    }

    // The copy is queued only once the response has been sent (never before the user's answer); the stable's outputs
    // are copied now, before their buffers go back to the pool.
    private void MirrorAfterAnswer(ServerCallContext context, ServedModel served, ModelInferRequest request, string? id, TensorData[] outputs, ShadowTarget target)
    {
        var copy = new MirrorCopy(served.Name, "", id ?? mirror.NextId(), [], null, null, outputs.Select(AnswerTensors.From).ToList(), target) { GrpcRequest = request };
        context.GetHttpContext().Response.OnCompleted(() =>
        {
            mirror.Offer(copy);
            return Task.CompletedTask;
        });
    }

    private ServedModel Find(string name, string version) => registry.Find(name, version.Length > 0 ? version : null);

    private static ModelMetadataResponse.Types.TensorMetadata Describe(ModelOperator.Runtime.Inference.TensorSpec spec)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.Datatype.Name };
        metadata.Shape.AddRange(spec.Shape);
        return metadata;
    }
}
