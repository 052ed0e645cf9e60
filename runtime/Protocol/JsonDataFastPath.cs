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
            datatype = InferRequestRules.CheckInputHeader(name, datatypeName, shape, model);
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
        reader = new Utf8JsonReader(json[(start + length)..], isFinalBlock: true, StateAfterData(reader));
        readerOffset = start + length;
        return tensor;
    }

    /// <summary>
    /// The state the token reader reaches on the data's <c>]</c>, from an empty stand-in for the data. Its line and
    /// position counters did not see the data, so <see cref="InferRequestReader"/> words any error after scanned data
    /// by reading the request again on the general path, whose messages carry the right positions.
    /// </summary>
    private static JsonReaderState StateAfterData(Utf8JsonReader atStart)
    {
        var reader = new Utf8JsonReader("]"u8, isFinalBlock: false, atStart.CurrentState);
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            throw new InvalidOperationException("the stand-in for scanned data did not end its array");
        return reader.CurrentState;
    }
}
