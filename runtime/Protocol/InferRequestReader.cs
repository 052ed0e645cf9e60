using System.Text.Json;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Decodes an OIP v2 infer request (JSON, optionally followed by the binary section of Triton's binary tensor extension)
/// and checks it against the model's inputs and outputs. Every problem is a 400 that names the input and what is wrong.
/// </summary>
internal static class InferRequestReader
{
    public static InferRequest Read(ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, OnnxModel model, InferRequestLimits? limits = null)
    {
        limits ??= InferRequestLimits.Default;
        var scanned = false;
        try
        {
            return Read(json, binary, model, limits, fastPath: true, ref scanned);
        }
        catch (ProtocolException) when (scanned)
        {
            // Past scanned data the token reader's line and position counters are off (see JsonDataFastPath): the
            // general path, which reads every token, gives the error with its exact wording and positions.
            return Read(json, binary, model, limits, fastPath: false, ref scanned);
        }
    }

    /// <param name="fastPath">Whether float data may be scanned (<see cref="JsonDataFastPath"/>); <paramref name="scanned"/> says whether any was.</param>
    private static InferRequest Read(ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, OnnxModel model, InferRequestLimits limits,
        bool fastPath, ref bool scanned)
    {
        var inputs = new List<TensorData>();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            string? id = null;
            List<RequestedOutput>? outputs = null;
            var binaryOutputs = false;
            var binaryOffset = 0;
            // Where the reader's span starts in the body: it moves on past float data the scanner read (see ReadInput).
            var readerOffset = 0;
            Expect(ref reader, JsonTokenType.StartObject, "the request body must be a JSON object");
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var property = PropertyName(ref reader);
                Next(ref reader);
                switch (property)
                {
                    case "id": id = reader.TokenType == JsonTokenType.String ? JsonStrings.Get(ref reader, "'id'") : throw Bad("'id' must be a string"); break;
                    case "inputs":
                        if (reader.TokenType != JsonTokenType.StartArray) throw Bad("'inputs' must be an array");
                        while (Next(ref reader) != JsonTokenType.EndArray)
                            inputs.Add(ReadInput(ref reader, ref readerOffset, json, binary, ref binaryOffset, model, limits, fastPath, ref scanned));
                        break;
                    case "outputs": outputs = ReadOutputs(ref reader); break;
                    case "parameters": binaryOutputs = ReadParameters(ref reader, "the request").BinaryDataOutput; break;
                    default: reader.Skip(); break;
                }
            }
            // A second document or anything else after the request is refused: it would be silently ignored.
            if (reader.Read()) throw Bad($"malformed JSON: unexpected {reader.TokenType} after the end of the request object");
            if (binaryOffset != binary.Length)
                throw Bad($"the binary section has {binary.Length} bytes but the inputs' binary_data_size add up to {binaryOffset}");
            InferRequestRules.CheckAllInputsPresent(inputs, model);
            return new InferRequest(id, inputs, InferRequestRules.ResolveOutputs(outputs, binaryOutputs, model));
        }
        catch (JsonException e)
        {
            foreach (var input in inputs) input.Dispose();
            throw Bad($"malformed JSON: {e.Message}");
        }
        catch
        {
            foreach (var input in inputs) input.Dispose();
            throw;
        }
    }

    private static TensorData ReadInput(ref Utf8JsonReader reader, ref int readerOffset, ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary,
        ref int binaryOffset, OnnxModel model, InferRequestLimits limits, bool fastPath, ref bool scannedAny)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Bad("each entry of 'inputs' must be an object");
        string? name = null, datatypeName = null;
        long[]? shape = null;
        var parameters = default(TensorParameters);
        var data = default(Utf8JsonReader);
        var hasData = false;
        long dataLength = 0;
        var dataStart = 0;
        // Float data the scanner already read, and the header it was read for.
        TensorData? scanned = null;
        (string?, string?, long[]?) scannedFor = default;
        try
        {
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var property = PropertyName(ref reader);
                Next(ref reader);
                switch (property)
                {
                    case "name": name = reader.TokenType == JsonTokenType.String ? JsonStrings.Get(ref reader, "input 'name'") : throw Bad("input 'name' must be a string"); break;
                    case "datatype": datatypeName = reader.TokenType == JsonTokenType.String ? JsonStrings.Get(ref reader, $"input '{name}': 'datatype'") : throw Bad("input 'datatype' must be a string"); break;
                    case "shape": shape = ReadShape(ref reader, name); break;
                    case "parameters": parameters = ReadParameters(ref reader, $"input '{ClientText.Cut(name)}'"); break;
                    case "data":
                        data = reader;
                        hasData = true;
                        dataStart = readerOffset + (int)reader.TokenStartIndex;
                        scanned?.Dispose();
                        scanned = fastPath ? JsonDataFastPath.TryScan(ref reader, ref readerOffset, json, name, datatypeName, shape, parameters.BinaryDataSize is not null, model, limits) : null;
                        if (scanned is not null)
                        {
                            scannedAny = true;
                            scannedFor = (name, datatypeName, shape);
                            dataLength = readerOffset - dataStart;
                            break;
                        }
                        // Skip also checks the data is well-formed JSON.
                        reader.Skip();
                        dataLength = readerOffset + reader.BytesConsumed - dataStart;
                        break;
                    default: reader.Skip(); break;
                }
            }
            var datatype = InferRequestRules.CheckInputHeader(name, datatypeName, shape, model);

            if (parameters.BinaryDataSize is { } size)
            {
                if (hasData) throw Bad($"input '{name}' has both 'data' and a 'binary_data_size' parameter; send one of them");
                if (size < 0 || size > binary.Length - binaryOffset)
                    throw Bad($"input '{name}': binary_data_size {size} goes past the end of the binary section ({binary.Length - binaryOffset} bytes left)");
                InferInputRules.Check(name, datatype, shape, size, datatype.IsBytes ? 4 : datatype.Size, limits);
                var tensor = BinaryTensorCodec.Read(binary.Slice(binaryOffset, (int)size), name, datatype, shape);
                binaryOffset += (int)size;
                return tensor;
            }
            if (!hasData) throw Bad($"input '{name}' has neither 'data' nor a 'binary_data_size' parameter");
            // Each JSON element takes at least two bytes ("0,"), so the data's length bounds what may be allocated for it.
            InferInputRules.Check(name, datatype, shape, dataLength, 2, limits);
            // A header property repeated after the data replaced what the data was read for: read it again, generally.
            if (scanned is not null && ReferenceEquals(scannedFor.Item1, name) && ReferenceEquals(scannedFor.Item2, datatypeName) && ReferenceEquals(scannedFor.Item3, shape))
                return scanned;
            scanned?.Dispose();
            scanned = null;
            return JsonTensorDataReader.Read(ref data, json.Slice(dataStart, (int)dataLength), name, datatype, shape);
        }
        catch
        {
            scanned?.Dispose();
            throw;
        }
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, string? name)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw Bad($"input '{name}': 'shape' must be an array of integers");
        var dims = new List<long>(4);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
                throw Bad($"input '{name}': 'shape' must hold non-negative integers");
            dims.Add(dim);
        }
        return dims.ToArray();
    }

    private static List<RequestedOutput> ReadOutputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw Bad("'outputs' must be an array");
        var outputs = new List<RequestedOutput>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw Bad("each entry of 'outputs' must be an object");
            string? name = null;
            var binary = false;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var property = PropertyName(ref reader);
                Next(ref reader);
                if (property == "name") name = reader.TokenType == JsonTokenType.String ? JsonStrings.Get(ref reader, "output 'name'") : throw Bad("output 'name' must be a string");
                else if (property == "parameters") binary = ReadParameters(ref reader, $"output '{ClientText.Cut(name)}'", outputOnly: true).BinaryData;
                else reader.Skip();
            }
            outputs.Add(new RequestedOutput(name ?? throw Bad("a requested output has no 'name'"), binary));
        }
        return outputs;
    }

    /// <param name="owner">Whose parameters these are, for errors: <c>the request</c>, <c>input 'x'</c>, <c>output 'y'</c>.</param>
    /// <param name="outputOnly">Output parameters: only <c>binary_data</c> is implemented, so any other is refused.</param>
    private static TensorParameters ReadParameters(ref Utf8JsonReader reader, string owner, bool outputOnly = false)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Bad($"{owner}: 'parameters' must be an object");
        var result = default(TensorParameters);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var property = PropertyName(ref reader);
            Next(ref reader);
            InferRequestRules.CheckParameter(owner, property, outputOnly);
            switch (property)
            {
                case "binary_data_size":
                    result.BinaryDataSize = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var size) ? size : throw Bad("'binary_data_size' must be an integer");
                    break;
                case "binary_data": result.BinaryData = ReadBool(ref reader, property); break;
                case "binary_data_output": result.BinaryDataOutput = ReadBool(ref reader, property); break;
                default: reader.Skip(); break;
            }
        }
        return result;
    }

    private static bool ReadBool(ref Utf8JsonReader reader, string property) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Bad($"'{property}' must be true or false"),
    };

    private static string PropertyName(ref Utf8JsonReader reader) => JsonStrings.Get(ref reader, "a property name");

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw Bad("malformed JSON: the request body ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string message)
    {
        if (Next(ref reader) != type) throw Bad(message);
    }

    private static ProtocolException Bad(string message) => ProtocolException.BadRequest(message);

    private struct TensorParameters
    {
        public long? BinaryDataSize;
        public bool BinaryData;
        public bool BinaryDataOutput;
    }
}
