namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>The protocol-buffers wire types ONNX files use (groups, types 3 and 4, are refused).</summary>
internal enum ProtoWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>Varint encoding and decoding, the one primitive of the protobuf wire format.</summary>
internal static class ProtoWire
{
    public static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length) throw new ProtoFormatException("a varint runs past the end");
            var b = span[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ProtoFormatException("a varint is longer than 10 bytes");
    }

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80) { value >>= 7; size++; }
        return size;
    }

    public static void WriteVarint(Span<byte> buffer, ref int position, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[position++] = (byte)value;
    }
}
