using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Serialises answers as the API server does: quotes escaped as \" and no HTML-safe \u003c escaping.</summary>
internal static class JsonText
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(JsonNode node) => node.ToJsonString(Options);

    /// <summary>Writes UTF-8 straight into a response (no string in between): every answer and watch event passes here.</summary>
    public static void Write(System.Buffers.IBufferWriter<byte> output, JsonNode node)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        node.WriteTo(writer, Options);
    }

    /// <summary>One watch event line: {"type":...,"object":...} and a newline.</summary>
    public static void WriteEvent(System.Buffers.IBufferWriter<byte> output, string type, JsonNode obj)
    {
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer, Options);
            writer.WriteEndObject();
        }
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }
}
