using System.Runtime.InteropServices;
using System.Text.Json;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Decodes an input's JSON <c>data</c> (flat or nested arrays, row-major) straight into a pooled tensor buffer,
/// without building a DOM; the element count must match the declared shape.
/// </summary>
internal static class JsonTensorDataReader
{
    /// <param name="reader">Positioned on the first token of <c>data</c>.</param>
    /// <param name="dataBytes">
    /// The UTF-8 bytes of <c>data</c>, for the fast path of float inputs (<see cref="JsonNumberArrayScanner"/>);
    /// empty to use the token reader alone.
    /// </param>
    public static TensorData Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> dataBytes, string name, Datatype datatype, long[] shape)
    {
        var count = TensorData.ElementCountOf(shape);
        if (count > int.MaxValue) throw ProtocolException.BadRequest($"input '{name}': shape {TensorSpec.Format(shape)} is too large");
        if (datatype.IsBytes) return ReadStrings(ref reader, name, shape, (int)count);
        var tensor = TensorData.Rent(name, datatype, shape);
        try
        {
            var bytes = tensor.Bytes;
            // Large image and audio inputs are FP32 (or FP64): scanned straight from the body when they hold only numbers.
            if (datatype.Name == "FP32" && JsonNumberArrayScanner.Scan<float, FastSingle>(dataBytes, MemoryMarshal.Cast<byte, float>(bytes), name, shape) >= 0
                || datatype.Name == "FP64" && JsonNumberArrayScanner.Scan<double, FastDouble>(dataBytes, MemoryMarshal.Cast<byte, double>(bytes), name, shape) >= 0)
                return tensor;
            var n = datatype.Name switch
            {
                "BOOL" => ReadNumbers<byte, BoolReader>(ref reader, bytes, name, datatype, shape),
                "UINT8" => ReadNumbers<byte, ByteReader>(ref reader, bytes, name, datatype, shape),
                "UINT16" => ReadNumbers<ushort, UInt16Reader>(ref reader, MemoryMarshal.Cast<byte, ushort>(bytes), name, datatype, shape),
                "UINT32" => ReadNumbers<uint, UInt32Reader>(ref reader, MemoryMarshal.Cast<byte, uint>(bytes), name, datatype, shape),
                "UINT64" => ReadNumbers<ulong, UInt64Reader>(ref reader, MemoryMarshal.Cast<byte, ulong>(bytes), name, datatype, shape),
                "INT8" => ReadNumbers<sbyte, SByteReader>(ref reader, MemoryMarshal.Cast<byte, sbyte>(bytes), name, datatype, shape),
                "INT16" => ReadNumbers<short, Int16Reader>(ref reader, MemoryMarshal.Cast<byte, short>(bytes), name, datatype, shape),
                "INT32" => ReadNumbers<int, Int32Reader>(ref reader, MemoryMarshal.Cast<byte, int>(bytes), name, datatype, shape),
                "INT64" => ReadNumbers<long, Int64Reader>(ref reader, MemoryMarshal.Cast<byte, long>(bytes), name, datatype, shape),
                "FP16" => ReadNumbers<Half, HalfReader>(ref reader, MemoryMarshal.Cast<byte, Half>(bytes), name, datatype, shape),
                "BF16" => ReadNumbers<ushort, BFloat16Reader>(ref reader, MemoryMarshal.Cast<byte, ushort>(bytes), name, datatype, shape),
                "FP32" => ReadNumbers<float, SingleReader>(ref reader, MemoryMarshal.Cast<byte, float>(bytes), name, datatype, shape),
                "FP64" => ReadNumbers<double, DoubleReader>(ref reader, MemoryMarshal.Cast<byte, double>(bytes), name, datatype, shape),
                _ => throw ProtocolException.BadRequest($"input '{name}': datatype {datatype} is not supported in JSON"),
            };
            CheckCount(name, shape, count, n);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static int ReadNumbers<T, TReader>(ref Utf8JsonReader reader, Span<T> dest, string name, Datatype datatype, long[] shape)
        where TReader : IElementReader<T>
    {
        var n = 0;
        var depth = 0;
        var nesting = new DataNesting(name, shape);
        if (reader.TokenType != JsonTokenType.StartArray) throw ProtocolException.BadRequest($"input '{name}': data must be an array");
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray: nesting.OpenArray(++depth); break;
                case JsonTokenType.EndArray:
                    nesting.CloseArray(depth);
                    if (depth-- == 0) return n;
                    break;
                default:
                    if (n >= dest.Length) return n + 1 + CountRest(ref reader, depth);
                    nesting.Element(depth);
                    if (!TReader.TryRead(ref reader, out dest[n]))
                        throw ProtocolException.BadRequest($"input '{name}': element {n} is not a valid {datatype} value");
                    n++;
                    break;
            }
        }
        throw ProtocolException.BadRequest($"input '{name}': data ends early");
    }

    private static TensorData ReadStrings(ref Utf8JsonReader reader, string name, long[] shape, int count)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw ProtocolException.BadRequest($"input '{name}': data must be an array");
        var elements = new byte[count][];
        var n = 0;
        var depth = 0;
        var nesting = new DataNesting(name, shape);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray: nesting.OpenArray(++depth); break;
                case JsonTokenType.EndArray:
                    nesting.CloseArray(depth);
                    if (depth-- == 0) { CheckCount(name, shape, count, n); return TensorData.FromElements(name, shape, elements); }
                    break;
                case JsonTokenType.String:
                    if (n >= count) { CheckCount(name, shape, count, n + 1 + CountRest(ref reader, depth)); break; }
                    nesting.Element(depth);
                    elements[n] = JsonStrings.Utf8Bytes(ref reader, $"input '{name}': element {n} of 'data'");
                    n++;
                    break;
                default:
                    throw ProtocolException.BadRequest($"input '{name}': element {n} is not a string, as BYTES data must be");
            }
        }
        throw ProtocolException.BadRequest($"input '{name}': data ends early");
    }

    /// <summary>Counts the leaves left in the array, so the error can say how many elements the data really has.</summary>
    private static int CountRest(ref Utf8JsonReader reader, int depth)
    {
        var extra = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.StartArray) depth++;
            else if (reader.TokenType == JsonTokenType.EndArray) { if (depth-- == 0) break; }
            else extra++;
        }
        return extra;
    }

    private static void CheckCount(string name, long[] shape, long expected, long actual)
    {
        if (actual != expected)
            throw ProtocolException.BadRequest($"input '{name}': shape {TensorSpec.Format(shape)} needs {expected} elements but data has {actual}");
    }
}
