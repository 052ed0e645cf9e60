using Google.Protobuf;
using ModelOperator.Runtime.Grpc;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>gRPC <c>ModelInfer</c> requests for a model's synthetic inputs, as Triton's and KServe's clients send them.</summary>
internal static class GrpcInferRequests
{
    /// <summary>Every input in <c>raw_input_contents</c> (the clients' default).</summary>
    public static ModelInferRequest Raw(string model, IReadOnlyList<TensorData> inputs)
    {
        var request = Headers(model, inputs);
        foreach (var tensor in inputs)
        {
            var writer = new System.Buffers.ArrayBufferWriter<byte>((int)Math.Max(BinaryTensorCodec.SizeOf(tensor), 1));
            BinaryTensorCodec.Write(tensor, writer);
            request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(writer.WrittenMemory));
        }
        return request;
    }

    /// <summary>Every input in typed <c>contents</c>; only for datatypes that have a typed field (not FP16, BF16).</summary>
    public static ModelInferRequest Typed(string model, IReadOnlyList<TensorData> inputs)
    {
        var request = Headers(model, inputs);
        // The response writer already turns a tensor into typed contents; reuse it rather than a second copy of the mapping.
        var typed = GrpcResponseWriter.Write(model, "", null, requestWasRaw: false, inputs);
        for (var i = 0; i < inputs.Count; i++) request.Inputs[i].Contents = typed.Outputs[i].Contents;
        return request;
    }

    private static ModelInferRequest Headers(string model, IReadOnlyList<TensorData> inputs)
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var tensor in inputs)
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = tensor.Name, Datatype = tensor.Datatype.Name };
            input.Shape.AddRange(tensor.Shape);
            request.Inputs.Add(input);
        }
        return request;
    }
}
