using System.Buffers;
using System.Buffers.Binary;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// The raw tensor encoding of Triton's binary tensor extension: numeric tensors as little-endian row-major bytes,
/// <c>BYTES</c> tensors as a sequence of (4-byte little-endian length, bytes) per element.
/// </summary>
internal static class BinaryTensorCodec
{
    public static TensorData Read(ReadOnlySpan<byte> section, string name, Datatype datatype, long[] shape)
    {
        var count = TensorData.ElementCountOf(shape);
        if (datatype.IsBytes) return ReadStrings(section, name, shape, count);
        var expected = count * datatype.Size;
        if (section.Length != expected)
            throw ProtocolException.BadRequest($"input '{name}': shape {TensorSpec.Format(shape)} of {datatype} needs {expected} bytes but binary_data_size is {section.Length}");
        var tensor = TensorData.Rent(name, datatype, shape);
        section.CopyTo(tensor.Bytes);
        return tensor;
    }

    private static TensorData ReadStrings(ReadOnlySpan<byte> section, string name, long[] shape, long count)
    {
        if (count > section.Length / 4)
            throw ProtocolException.BadRequest($"input '{name}': {section.Length} bytes cannot hold {count} BYTES elements");
        var elements = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (section.Length < 4) throw ProtocolException.BadRequest($"input '{name}': the binary data ends inside element {i}");
            var length = BinaryPrimitives.ReadUInt32LittleEndian(section);
            if (length > section.Length - 4) throw ProtocolException.BadRequest($"input '{name}': element {i} claims {length} bytes, past the end of its binary data");
            elements[i] = section.Slice(4, (int)length).ToArray();
            section = section[(4 + (int)length)..];
        }
        if (!section.IsEmpty)
            throw ProtocolException.BadRequest($"input '{name}': {section.Length} bytes are left after the {count} elements its shape {TensorSpec.Format(shape)} holds");
        return TensorData.FromElements(name, shape, elements);
    }

    /// <summary>The size of a tensor's binary encoding.</summary>
    public static long SizeOf(TensorData tensor)
    {
        if (!tensor.Datatype.IsBytes) return tensor.ByteLength;
        long size = 0;
        foreach (var e in tensor.Elements!) size += 4 + e.Length;
        return size;
    }

    public static void Write(TensorData tensor, IBufferWriter<byte> writer)
    {
        if (!tensor.Datatype.IsBytes)
        {
            writer.Write(tensor.Bytes);
            return;
        }
        foreach (var element in tensor.Elements!)
        {
            var span = writer.GetSpan(4 + element.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)element.Length);
            element.CopyTo(span[4..]);
            writer.Advance(4 + element.Length);
        }
    }
}
