using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// Translates a gRPC <c>ModelInferRequest</c> into the same <see cref="InferRequest"/> the REST reader makes, under the
/// same rules (<see cref="InferRequestRules"/>, <see cref="InferInputRules"/>) and with the same messages: typed
/// <c>contents</c> per datatype, or <c>raw_input_contents</c> in the binary encoding of Triton's binary tensor extension.
/// Every problem is a <see cref="ProtocolException"/> (400) naming the input.
/// </summary>
internal static class GrpcRequestReader
{
    public static InferRequest Read(ModelInferRequest request, OnnxModel model, InferRequestLimits? limits = null)
    {
        limits ??= InferRequestLimits.Default;
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
            throw Bad($"raw_input_contents has {raw.Count} entries but the request has {request.Inputs.Count} inputs; give one per input, in the same order");
        CheckParameters(request.Parameters, "the request", outputOnly: false);
        var inputs = new List<TensorData>(request.Inputs.Count);
        try
        {
            for (var i = 0; i < request.Inputs.Count; i++)
                inputs.Add(ReadInput(request.Inputs[i], raw.Count > 0 ? raw[i] : null, model, limits));
            InferRequestRules.CheckAllInputsPresent(inputs, model);
            var requested = new List<RequestedOutput>(request.Outputs.Count);
            foreach (var output in request.Outputs)
            {
                CheckParameters(output.Parameters, $"output '{ClientText.Cut(output.Name)}'", outputOnly: true);
                // binary_data asks for the binary section, which gRPC's raw_output_contents already is.
                requested.Add(new RequestedOutput(output.Name, Binary: false));
            }
            var outputs = InferRequestRules.ResolveOutputs(requested, binaryByDefault: false, model);
            return new InferRequest(request.Id.Length > 0 ? request.Id : null, inputs, outputs);
        }
        catch
        {
            foreach (var input in inputs) input.Dispose();
            throw;
        }
    }

    private static TensorData ReadInput(ModelInferRequest.Types.InferInputTensor input, ByteString? raw, OnnxModel model, InferRequestLimits limits)
    {
        var shape = input.Shape.ToArray();
        var datatype = InferRequestRules.CheckInputHeader(input.Name, input.Datatype, shape, model);
        CheckParameters(input.Parameters, $"input '{input.Name}'", outputOnly: false);
        if (raw is not null)
        {
            if (input.Contents is not null && GrpcContents.Count(input.Contents) > 0)
                throw Bad($"input '{input.Name}' has both 'contents' and raw_input_contents; use one or the other");
            // Overflow-aware: the element count, the BYTES limit and whether the bytes can hold the shape, before any allocation.
            var count = InferInputRules.Check(input.Name, datatype, shape, raw.Length, datatype.IsBytes ? 4 : datatype.Size, limits);
            if (!datatype.IsBytes && raw.Length != count * datatype.Size)
                throw Bad($"input '{input.Name}': shape {TensorSpec.Format(shape)} of {datatype} needs {count * datatype.Size} bytes but its raw_input_contents has {raw.Length}");
            return BinaryTensorCodec.Read(raw.Span, input.Name, datatype, shape);
        }
        var contents = input.Contents ?? new InferTensorContents();
        // Typed contents are counted exactly below, before any allocation; here the count's overflow and the limits.
        return ReadTyped(input.Name, datatype, shape, InferInputRules.Check(input.Name, datatype, shape, 0, 0, limits), contents);
    }

    /// <summary>Each parameter under the same rule as REST's (<see cref="InferRequestRules.CheckParameter"/>).</summary>
    private static void CheckParameters(Google.Protobuf.Collections.MapField<string, InferParameter> parameters, string owner, bool outputOnly)
    {
        if (parameters.Count == 0) return;
        foreach (var name in parameters.Keys) InferRequestRules.CheckParameter(owner, name, outputOnly);
    }

    private static TensorData ReadTyped(string name, Datatype datatype, long[] shape, long count, InferTensorContents contents)
    {
        if (datatype == Datatype.Fp16 || datatype == Datatype.Bf16)
            throw Bad($"input '{name}': {datatype} has no typed contents field; send it in raw_input_contents");
        var field = GrpcContents.FieldOf(datatype);
        var given = GrpcContents.CountOf(contents, datatype);
        if (given != count)
        {
            var other = GrpcContents.NonEmptyField(contents);
            throw Bad(given == 0 && other is not null && other != field
                ? $"input '{name}' is {datatype}, whose values go in contents.{field}, but contents.{other} was given"
                : $"input '{name}': shape {TensorSpec.Format(shape)} holds {count} elements but contents.{field} has {given}");
        }
        if (datatype.IsBytes) return TensorData.FromElements(name, shape, contents.BytesContents.Select(b => b.ToByteArray()).ToArray());

        var tensor = TensorData.Rent(name, datatype, shape);
        try
        {
            var bytes = tensor.Bytes;
            switch (datatype.Name)
            {
                case "BOOL": Fill(name, contents.BoolContents, bytes, 0, 1, v => v ? (byte)1 : (byte)0, v => v ? 1 : 0); break;
                case "INT8": Fill(name, contents.IntContents, bytes, sbyte.MinValue, sbyte.MaxValue, v => (sbyte)v, v => v); break;
                case "INT16": Fill(name, contents.IntContents, bytes, short.MinValue, short.MaxValue, v => (short)v, v => v); break;
                case "INT32": Fill(name, contents.IntContents, bytes, int.MinValue, int.MaxValue, v => v, v => v); break;
                case "INT64": Fill(name, contents.Int64Contents, bytes, long.MinValue, long.MaxValue, v => v, v => v); break;
                case "UINT8": Fill(name, contents.UintContents, bytes, 0, byte.MaxValue, v => (byte)v, v => v); break;
                case "UINT16": Fill(name, contents.UintContents, bytes, 0, ushort.MaxValue, v => (ushort)v, v => v); break;
                case "UINT32": Fill(name, contents.UintContents, bytes, 0, uint.MaxValue, v => v, v => v); break;
                case "UINT64": Fill(name, contents.Uint64Contents, bytes, 0, 0, v => v, _ => 0); break;
                case "FP32": Fill(name, contents.Fp32Contents, bytes, 0, 0, v => v, _ => 0); break;
                case "FP64": Fill(name, contents.Fp64Contents, bytes, 0, 0, v => v, _ => 0); break;
                default: throw Bad($"input '{name}': datatype {datatype} is not supported in typed contents");
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the repeated field into the tensor's buffer, converting each value to the element type; a value outside
    /// [min, max] (as measured by <paramref name="measure"/>; floats and UINT64 are never out of range) is refused.
    /// </summary>
    private static void Fill<TField, TElement>(string name, IReadOnlyList<TField> values, Span<byte> bytes, long min, long max,
        Func<TField, TElement> convert, Func<TField, long> measure) where TElement : unmanaged
    {
        var target = MemoryMarshal.Cast<byte, TElement>(bytes);
        var check = min != 0 || max != 0;
        for (var i = 0; i < target.Length; i++)
        {
            var v = values[i];
            if (check && measure(v) is var m && (m < min || m > max))
                throw Bad($"input '{name}': element {i} is {v}, outside the range of its datatype ({min} to {max})");
            target[i] = convert(v);
        }
    }

    private static ProtocolException Bad(string message) => ProtocolException.BadRequest(message);
}
