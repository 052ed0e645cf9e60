using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// Builds a gRPC <c>ModelInferResponse</c> from the runner's outputs: <c>raw_output_contents</c> when the request sent
/// raw inputs (as Triton answers) or when an output has no typed field (FP16, BF16), else typed <c>contents</c>.
/// </summary>
internal static class GrpcResponseWriter
{
    public static ModelInferResponse Write(string modelName, string modelVersion, string? id, bool requestWasRaw,
        IReadOnlyList<TensorData> outputs)
    {
        var raw = requestWasRaw || outputs.Any(o => !GrpcContents.HasTypedField(o.Datatype));
        var response = new ModelInferResponse { ModelName = modelName, ModelVersion = modelVersion, Id = id ?? "" };
        foreach (var tensor in outputs)
        {
            var output = new ModelInferResponse.Types.InferOutputTensor { Name = tensor.Name, Datatype = tensor.Datatype.Name };
            output.Shape.AddRange(tensor.Shape);
            if (raw) response.RawOutputContents.Add(RawBytes(tensor));
            else output.Contents = Typed(tensor);
            response.Outputs.Add(output);
        }
        return response;
    }

    private static ByteString RawBytes(TensorData tensor)
    {
        if (!tensor.Datatype.IsBytes) return ByteString.CopyFrom(tensor.Bytes);
        var writer = new System.Buffers.ArrayBufferWriter<byte>((int)Math.Max(BinaryTensorCodec.SizeOf(tensor), 1));
        BinaryTensorCodec.Write(tensor, writer);
        return UnsafeByteOperations.UnsafeWrap(writer.WrittenMemory);
    }

    private static InferTensorContents Typed(TensorData tensor)
    {
        var contents = new InferTensorContents();
        if (tensor.Datatype.IsBytes)
        {
            foreach (var e in tensor.Elements!) contents.BytesContents.Add(ByteString.CopyFrom(e));
            return contents;
        }
        var bytes = tensor.Bytes;
        switch (tensor.Datatype.Name)
        {
            case "BOOL": foreach (var b in bytes) contents.BoolContents.Add(b != 0); break;
            case "INT8": foreach (var v in MemoryMarshal.Cast<byte, sbyte>(bytes)) contents.IntContents.Add(v); break;
            case "INT16": foreach (var v in MemoryMarshal.Cast<byte, short>(bytes)) contents.IntContents.Add(v); break;
            case "INT32": contents.IntContents.AddRange(MemoryMarshal.Cast<byte, int>(bytes).ToArray()); break;
            case "INT64": contents.Int64Contents.AddRange(MemoryMarshal.Cast<byte, long>(bytes).ToArray()); break;
            case "UINT8": foreach (var v in bytes) contents.UintContents.Add(v); break;
            case "UINT16": foreach (var v in MemoryMarshal.Cast<byte, ushort>(bytes)) contents.UintContents.Add(v); break;
            case "UINT32": contents.UintContents.AddRange(MemoryMarshal.Cast<byte, uint>(bytes).ToArray()); break;
            case "UINT64": contents.Uint64Contents.AddRange(MemoryMarshal.Cast<byte, ulong>(bytes).ToArray()); break;
            case "FP32": contents.Fp32Contents.AddRange(MemoryMarshal.Cast<byte, float>(bytes).ToArray()); break;
            case "FP64": contents.Fp64Contents.AddRange(MemoryMarshal.Cast<byte, double>(bytes).ToArray()); break;
            default: throw new InvalidOperationException($"output '{tensor.Name}': {tensor.Datatype} has no typed contents field");
        }
        return contents;
    }
}
