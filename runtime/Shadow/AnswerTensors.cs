using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Shadow;

/// <summary>Decodes answers into <see cref="AnswerTensor"/>s: the stable's own output tensors, and the shadow's OIP v2 response (JSON or binary tensor extension).</summary>
internal static class AnswerTensors
{
    /// <summary>An output tensor the stable pod just answered with (copied: the tensor's buffer goes back to the pool).</summary>
    public static AnswerTensor From(TensorData t) =>
        new(t.Name, t.Datatype.Name, (long[])t.Shape.Clone(), t.Datatype.IsBytes ? null : Values(t.Datatype.Name, t.Bytes, t.ElementCount));

    /// <summary>
    /// The outputs of an OIP v2 inference response body. <paramref name="headerLength"/> is the
    /// <c>Inference-Header-Content-Length</c> of a binary response (the JSON header, then each binary output's bytes in
    /// order), null for plain JSON. Throws <see cref="FormatException"/> for a body that is not such a response.
    /// </summary>
    public static IReadOnlyList<AnswerTensor> FromResponse(ReadOnlySpan<byte> body, int? headerLength)
    {
        var header = headerLength is { } n ? body[..n] : body;
        var binary = headerLength is { } m ? body[m..] : [];
        try
        {
            using var doc = JsonDocument.Parse(header.ToArray());
            if (!doc.RootElement.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Array)
                throw new FormatException("the response has no 'outputs' array");
            var result = new List<AnswerTensor>();
            var offset = 0;
            foreach (var o in outputs.EnumerateArray())
            {
                var name = o.GetProperty("name").GetString() ?? throw new FormatException("an output has no name");
                var datatype = o.GetProperty("datatype").GetString() ?? throw new FormatException($"output '{name}' has no datatype");
                var shape = o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var count = TensorData.ElementCountOf(shape);
                if (o.TryGetProperty("parameters", out var p) && p.TryGetProperty("binary_data_size", out var size))
                {
                    var length = size.GetInt32();
                    if (offset + length > binary.Length) throw new FormatException($"output '{name}' claims {length} binary bytes past the body's end");
                    var bytes = binary.Slice(offset, length);
                    offset += length;
                    result.Add(new AnswerTensor(name, datatype, shape, datatype == "BYTES" ? null : Values(datatype, bytes, count)));
                }
                else
                {
                    var values = datatype == "BYTES" ? null : Flatten(o.GetProperty("data")).Select(v => AsWritten(datatype, v)).ToArray();
                    if (values is not null && values.Length != count)
                        throw new FormatException($"output '{name}' has {values.Length} values for shape [{string.Join(",", shape)}]");
                    result.Add(new AnswerTensor(name, datatype, shape, values));
                }
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"not an inference response: {e.Message}", e);
        }
    }

    // JSON carries a float as its shortest decimal, which read as a double is not the float itself ("0.1" against
    // 0.1f): rounding back to the datatype gives the value the shadow computed, so an identical answer differs by 0.
    private static double AsWritten(string datatype, double v) => !double.IsFinite(v) ? v : datatype switch
    {
        "FP32" => (float)v,
        "FP16" => (double)(Half)v,
        "BF16" => BitConverter.Int32BitsToSingle((int)(BitConverter.SingleToUInt32Bits((float)v) + 0x7FFF + ((BitConverter.SingleToUInt32Bits((float)v) >> 16) & 1)) & unchecked((int)0xFFFF0000)),
        _ => v,
    };

    /// <summary>The outputs of an OIP v2 gRPC response: raw output contents where the response has them, else typed contents.</summary>
    public static IReadOnlyList<AnswerTensor> FromGrpc(Grpc.Inference.ModelInferResponse response)
    {
        var raw = response.RawOutputContents;
        if (raw.Count > 0 && raw.Count != response.Outputs.Count)
            throw new FormatException($"the response has {raw.Count} raw output contents for {response.Outputs.Count} outputs");
        var result = new List<AnswerTensor>(response.Outputs.Count);
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var o = response.Outputs[i];
            var shape = o.Shape.ToArray();
            var count = TensorData.ElementCountOf(shape);
            double[]? values;
            if (o.Datatype == "BYTES") values = null;
            else if (raw.Count > 0) values = Values(o.Datatype, raw[i].Span, count);
            else
            {
                var c = o.Contents ?? throw new FormatException($"output '{o.Name}' has no contents");
                values = o.Datatype switch
                {
                    "BOOL" => c.BoolContents.Select(b => b ? 1.0 : 0.0).ToArray(),
                    "INT8" or "INT16" or "INT32" => c.IntContents.Select(v => (double)v).ToArray(),
                    "INT64" => c.Int64Contents.Select(v => (double)v).ToArray(),
                    "UINT8" or "UINT16" or "UINT32" => c.UintContents.Select(v => (double)v).ToArray(),
                    "UINT64" => c.Uint64Contents.Select(v => (double)v).ToArray(),
                    "FP32" => c.Fp32Contents.Select(v => (double)v).ToArray(),
                    "FP64" => c.Fp64Contents.ToArray(),
                    _ => throw new FormatException($"output '{o.Name}' is {o.Datatype}, which has no typed contents"),
                };
                if (values.Length != count) throw new FormatException($"output '{o.Name}' has {values.Length} values for shape [{string.Join(",", shape)}]");
            }
            result.Add(new AnswerTensor(o.Name, o.Datatype, shape, values));
        }
        return result;
    }

    private static IEnumerable<double> Flatten(JsonElement data) => data.ValueKind switch
    {
        JsonValueKind.Array => data.EnumerateArray().SelectMany(Flatten),
        JsonValueKind.Number => [data.GetDouble()],
        JsonValueKind.True => [1.0],
        JsonValueKind.False => [0.0],
        // JSON has no NaN: the runtime writes non-finite values as strings ("NaN", "Infinity").
        JsonValueKind.String when double.TryParse(data.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => [v],
        _ => throw new FormatException($"a {data.ValueKind} where a number was expected"),
    };

    /// <summary>Little-endian element bytes of a numeric datatype, widened to double.</summary>
    internal static double[] Values(string datatype, ReadOnlySpan<byte> bytes, long count)
    {
        var size = datatype switch
        {
            "BOOL" or "UINT8" or "INT8" => 1,
            "UINT16" or "INT16" or "FP16" or "BF16" => 2,
            "UINT32" or "INT32" or "FP32" => 4,
            "UINT64" or "INT64" or "FP64" => 8,
            _ => throw new FormatException($"datatype '{datatype}' has no numeric values"),
        };
        if (bytes.Length != count * size) throw new FormatException($"{bytes.Length} bytes for {count} {datatype} values");
        var values = new double[count];
        for (var i = 0; i < values.Length; i++)
        {
            var e = bytes.Slice(i * size, size);
            values[i] = datatype switch
            {
                "BOOL" or "UINT8" => e[0],
                "INT8" => (sbyte)e[0],
                "UINT16" => BinaryPrimitives.ReadUInt16LittleEndian(e),
                "INT16" => BinaryPrimitives.ReadInt16LittleEndian(e),
                "FP16" => (double)BinaryPrimitives.ReadHalfLittleEndian(e),
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e) << 16),
                "UINT32" => BinaryPrimitives.ReadUInt32LittleEndian(e),
                "INT32" => BinaryPrimitives.ReadInt32LittleEndian(e),
                "FP32" => BinaryPrimitives.ReadSingleLittleEndian(e),
                "UINT64" => BinaryPrimitives.ReadUInt64LittleEndian(e),
                "INT64" => BinaryPrimitives.ReadInt64LittleEndian(e),
                _ => BinaryPrimitives.ReadDoubleLittleEndian(e),
            };
        }
        return values;
    }
}
