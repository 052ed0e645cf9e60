using System.Text.Json;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Encodes an OIP v2 infer response into one pooled buffer: the JSON header, then, when any output asked for
/// <c>binary_data</c>, those outputs' raw bytes (Triton's binary tensor extension).
/// </summary>
internal static class InferResponseWriter
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    /// <returns>The JSON header's length when the body has a binary section, else null (the body is all JSON).</returns>
    public static int? Write(PooledBufferWriter buffer, string modelName, string modelVersion, string? id,
        IReadOnlyList<RequestedOutput> requested, IReadOnlyList<TensorData> outputs)
    {
        var anyBinary = false;
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name"u8, modelName);
            writer.WriteString("model_version"u8, modelVersion);
            if (id is not null) writer.WriteString("id"u8, id);
            writer.WriteStartArray("outputs"u8);
            for (var i = 0; i < outputs.Count; i++)
            {
                var tensor = outputs[i];
                writer.WriteStartObject();
                writer.WriteString("name"u8, tensor.Name);
                writer.WriteString("datatype"u8, tensor.Datatype.Name);
                writer.WriteStartArray("shape"u8);
                foreach (var d in tensor.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                if (requested[i].Binary)
                {
                    anyBinary = true;
                    writer.WriteStartObject("parameters"u8);
                    writer.WriteNumber("binary_data_size"u8, BinaryTensorCodec.SizeOf(tensor));
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WritePropertyName("data"u8);
                    JsonTensorDataWriter.Write(writer, tensor);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        if (!anyBinary) return null;
        var headerLength = buffer.WrittenCount;
        for (var i = 0; i < outputs.Count; i++)
            if (requested[i].Binary) BinaryTensorCodec.Write(outputs[i], buffer);
        return headerLength;
    }
}
