using System.Runtime.InteropServices;
using System.Text.Json;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>Infer request bodies for a model's synthetic inputs, as a client would send them: all JSON, or Triton binary.</summary>
internal static class InferRequestBodies
{
    /// <param name="floatsAsDoubles">
    /// Writes FP32 data as Python clients do (numpy's <c>tolist()</c> widens each float32 to a double, which <c>json</c>
    /// writes shortest: <c>0.6681064367294312</c> rather than <c>0.66810644</c>), about 1.8 times the bytes.
    /// </param>
    public static LoadRequest Json(string path, IReadOnlyList<TensorData> inputs, bool floatsAsDoubles = false)
    {
        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                WriteInputHeader(writer, input);
                writer.WritePropertyName("data");
                if (floatsAsDoubles && input.Datatype.Name == "FP32")
                {
                    writer.WriteStartArray();
                    foreach (var v in MemoryMarshal.Cast<byte, float>(input.Bytes)) writer.WriteNumberValue((double)v);
                    writer.WriteEndArray();
                }
                else JsonTensorDataWriter.Write(writer, input);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return new LoadRequest(path, buffer.WrittenSpan.ToArray(), "application/json");
    }

    public static LoadRequest Binary(string path, IReadOnlyList<TensorData> inputs, IEnumerable<string> outputs)
    {
        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                WriteInputHeader(writer, input);
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", BinaryTensorCodec.SizeOf(input));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("outputs");
            foreach (var output in outputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", output);
                writer.WriteStartObject("parameters");
                writer.WriteBoolean("binary_data", true);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        var headerLength = buffer.WrittenCount;
        foreach (var input in inputs) BinaryTensorCodec.Write(input, buffer);
        return new LoadRequest(path, buffer.WrittenSpan.ToArray(), "application/octet-stream", headerLength);
    }

    private static void WriteInputHeader(Utf8JsonWriter writer, TensorData input)
    {
        writer.WriteStartObject();
        writer.WriteString("name", input.Name);
        writer.WriteString("datatype", input.Datatype.Name);
        writer.WriteStartArray("shape");
        foreach (var d in input.Shape) writer.WriteNumberValue(d);
        writer.WriteEndArray();
    }
}
