using System.Runtime.InteropServices;
using System.Text.Json;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Reads a float input's JSON <c>data</c> straight from the request body, when its name, datatype and shape came
/// before it (as clients write them), without the token reader walking the numbers at all: the scanner checks and
/// parses them into the tensor, and the reader is moved past them. Whenever the scanner declines (see
/// <see cref="JsonNumberArrayScanner"/>) nothing has moved, and the request reader goes its general way, so its
/// rules and messages hold unchanged.
/// </summary>
internal static class JsonDataFastPath
{
    /// <param name="reader">On the <c>[</c> of <c>data</c>; on success, on its <c>]</c> (over the rest of the body).</param>
    /// <param name="readerOffset">Where the reader's span starts in <paramref name="json"/>; moved on success.</param>
    /// <returns>The tensor, or null when the general path must read the data.</returns>
    public static TensorData? TryScan(ref Utf8JsonReader reader, ref int readerOffset, ReadOnlySpan<byte> json, string? name, string? datatypeName,
        long[]? shape, bool hasBinaryDataSize, OnnxModel model, InferRequestLimits limits)
    {
        if (reader.TokenType != JsonTokenType.StartArray || hasBinaryDataSize || name is null || shape is null || datatypeName is not ("FP32" or "FP64"))
            return null;
        var start = readerOffset + (int)reader.TokenStartIndex;
        Datatype datatype;
        try
        {
            datatype = InferRequestReader.CheckInputHeader(name, datatypeName, shape, model);
            // The data ends somewhere in the rest of the body, which bounds what may be allocated for it.
            InferInputRules.Check(name, datatype, shape, json.Length - start, 2, limits);
        }
        catch (ProtocolException)
        {
            return null;
        }
        var tensor = TensorData.Rent(name, datatype, shape);
        var rest = json[start..];
        var length = datatype.Name == "FP32"
            ? JsonNumberArrayScanner.Scan<float, FastSingle>(rest, MemoryMarshal.Cast<byte, float>(tensor.Bytes), name, shape)
            : JsonNumberArrayScanner.Scan<double, FastDouble>(rest, MemoryMarshal.Cast<byte, double>(tensor.Bytes), name, shape);
        if (length < 0)
        {
            tensor.Dispose();
            return null;
        }
        reader = PastData(reader, rest[..length], json[(start + length)..]);
        readerOffset = start + length;
        return tensor;
    }

    /// <summary>
    /// A reader over <paramref name="after"/> in the state the token reader would reach on the data's <c>]</c>: it reads
    /// a stand-in of the data, blank but with its line breaks where they were, so that the positions in any later JSON
    /// error are the ones the general path reports.
    /// </summary>
    private static Utf8JsonReader PastData(Utf8JsonReader atStart, ReadOnlySpan<byte> data, ReadOnlySpan<byte> after)
    {
        var buffer = RequestBuffers.Rent(data.Length - 1);
        try
        {
            var standIn = buffer.AsSpan(0, data.Length - 1);
            var inner = data[1..^1];
            if (inner.IndexOf((byte)'\n') < 0) standIn[..^1].Fill((byte)' ');
            else for (var i = 0; i < inner.Length; i++) standIn[i] = inner[i] == (byte)'\n' ? (byte)'\n' : (byte)' ';
            standIn[^1] = (byte)']';
            var reader = new Utf8JsonReader(standIn, isFinalBlock: false, atStart.CurrentState);
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                throw new InvalidOperationException("the stand-in for scanned data did not end its array");
            return new Utf8JsonReader(after, isFinalBlock: true, reader.CurrentState);
        }
        finally
        {
            RequestBuffers.Return(buffer);
        }
    }
}
