namespace ModelOperator.KubeDouble.Protobuf;

/// <summary>A minimal protobuf wire-format reader: (field number, wire type, value) triples of one message.</summary>
internal static class ProtoReader
{
    public readonly record struct Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes);

    public static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message.Span, ref at);
            var number = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: yield return new Field(number, wire, Varint(message.Span, ref at), default); break;
                case 1: yield return new Field(number, wire, 0, message.Slice(at, 8)); at += 8; break;
                case 2:
                    var length = (int)Varint(message.Span, ref at);
                    yield return new Field(number, wire, 0, message.Slice(at, length));
                    at += length;
                    break;
                case 5: yield return new Field(number, wire, 0, message.Slice(at, 4)); at += 4; break;
                default: throw new FormatException($"unsupported protobuf wire type {wire}");
            }
        }
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException("malformed protobuf varint");
    }

    public static string Text(Field field) => System.Text.Encoding.UTF8.GetString(field.Bytes.Span);

    /// <summary>A map&lt;string, string|bytes&gt; entry: key in field 1, value in field 2.</summary>
    public static (string Key, ReadOnlyMemory<byte> Value) Entry(Field field)
    {
        string key = "";
        ReadOnlyMemory<byte> value = default;
        foreach (var f in Fields(field.Bytes))
        {
            if (f.Number == 1) key = Text(f);
            else if (f.Number == 2) value = f.Bytes;
        }
        return (key, value);
    }
}
