using System.Runtime.InteropServices;
using System.Text.Json;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>Writes a tensor's elements as the flat JSON <c>data</c> array of an OIP v2 response.</summary>
internal static class JsonTensorDataWriter
{
    public static void Write(Utf8JsonWriter writer, TensorData tensor)
    {
        switch (tensor.Datatype.Name)
        {
            case "FP32": JsonNumberArrayWriter.Write(writer, MemoryMarshal.Cast<byte, float>(tensor.Bytes)); return;
            case "FP64": JsonNumberArrayWriter.Write(writer, MemoryMarshal.Cast<byte, double>(tensor.Bytes)); return;
        }
        writer.WriteStartArray();
        var bytes = tensor.Datatype.IsBytes ? Span<byte>.Empty : tensor.Bytes;
        switch (tensor.Datatype.Name)
        {
            case "BOOL": foreach (var v in bytes) writer.WriteBooleanValue(v != 0); break;
            case "UINT8": foreach (var v in bytes) writer.WriteNumberValue(v); break;
            case "UINT16": foreach (var v in MemoryMarshal.Cast<byte, ushort>(bytes)) writer.WriteNumberValue(v); break;
            case "UINT32": foreach (var v in MemoryMarshal.Cast<byte, uint>(bytes)) writer.WriteNumberValue(v); break;
            case "UINT64": foreach (var v in MemoryMarshal.Cast<byte, ulong>(bytes)) writer.WriteNumberValue(v); break;
            case "INT8": foreach (var v in MemoryMarshal.Cast<byte, sbyte>(bytes)) writer.WriteNumberValue(v); break;
            case "INT16": foreach (var v in MemoryMarshal.Cast<byte, short>(bytes)) writer.WriteNumberValue(v); break;
            case "INT32": foreach (var v in MemoryMarshal.Cast<byte, int>(bytes)) writer.WriteNumberValue(v); break;
            case "INT64": foreach (var v in MemoryMarshal.Cast<byte, long>(bytes)) writer.WriteNumberValue(v); break;
            case "FP16": foreach (var v in MemoryMarshal.Cast<byte, Half>(bytes)) WriteFloat(writer, (float)v); break;
            case "BF16": foreach (var v in MemoryMarshal.Cast<byte, ushort>(bytes)) WriteFloat(writer, BFloat16Reader.ToSingle(v)); break;
            case "BYTES": foreach (var e in tensor.Elements!) writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(e)); break;
            default: throw new InvalidOperationException($"cannot write {tensor.Datatype} as JSON");
        }
        writer.WriteEndArray();
    }

    private static void WriteFloat(Utf8JsonWriter writer, float v)
    {
        if (float.IsFinite(v)) writer.WriteNumberValue(v);
        else WriteNonFinite(writer, v);
    }

    // JSON has no NaN or infinities; strings keep the value instead of failing the whole response.
    private static void WriteNonFinite(Utf8JsonWriter writer, double v) =>
        writer.WriteStringValue(double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
}
