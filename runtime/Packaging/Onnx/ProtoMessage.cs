namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>
/// A protocol-buffers message kept as its ordered list of fields, so that reading and writing a model loses nothing:
/// fields this code does not know (newer ONNX versions, training info, metadata) are written back as they were read.
/// Length-delimited fields are parsed as sub-messages only when asked for, and re-encoded only when changed.
/// </summary>
internal sealed class ProtoMessage
{
    public List<ProtoField> Fields { get; } = [];

    public static ProtoMessage Parse(ReadOnlyMemory<byte> bytes)
    {
        var message = new ProtoMessage();
        var span = bytes.Span;
        var position = 0;
        while (position < span.Length)
        {
            var tag = ProtoWire.ReadVarint(span, ref position);
            var number = (int)(tag >> 3);
            var wire = (ProtoWireType)(tag & 7);
            if (number <= 0) throw new ProtoFormatException($"field number {number} at byte {position}");
            switch (wire)
            {
                case ProtoWireType.Varint:
                    message.Fields.Add(ProtoField.OfVarint(number, ProtoWire.ReadVarint(span, ref position)));
                    break;
                case ProtoWireType.Fixed64:
                    message.Fields.Add(new ProtoField(number, wire, 0, Slice(bytes, ref position, 8)));
                    break;
                case ProtoWireType.Fixed32:
                    message.Fields.Add(new ProtoField(number, wire, 0, Slice(bytes, ref position, 4)));
                    break;
                case ProtoWireType.LengthDelimited:
                    var length = ProtoWire.ReadVarint(span, ref position);
                    if (length > (ulong)(span.Length - position)) throw new ProtoFormatException($"field {number} claims {length} bytes past the end");
                    message.Fields.Add(new ProtoField(number, wire, 0, Slice(bytes, ref position, (int)length)));
                    break;
                default:
                    throw new ProtoFormatException($"field {number} has wire type {(int)wire}, which ONNX never uses");
            }
        }
        return message;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> bytes, ref int position, int length)
    {
        if (position + length > bytes.Length) throw new ProtoFormatException("a field runs past the end of the message");
        var slice = bytes.Slice(position, length);
        position += length;
        return slice;
    }

    public IEnumerable<ProtoField> All(int number) => Fields.Where(f => f.Number == number);

    public ProtoField? First(int number) => Fields.FirstOrDefault(f => f.Number == number);

    public ProtoMessage? Message(int number) => First(number)?.Message;

    public IEnumerable<ProtoMessage> Messages(int number) => All(number).Select(f => f.Message);

    public string? String(int number) => First(number)?.String;

    public IEnumerable<string> Strings(int number) => All(number).Select(f => f.String);

    public long? Int(int number) => First(number) is { } f ? (long)f.Varint : null;

    /// <summary>Repeated integers, packed or not (ONNX's proto2 schema writes them unpacked, proto3 writers pack them).</summary>
    public IEnumerable<long> Ints(int number)
    {
        foreach (var field in All(number))
        {
            if (field.WireType == ProtoWireType.Varint) { yield return (long)field.Varint; continue; }
            var position = 0;
            var values = new List<long>();
            while (position < field.Bytes.Length) values.Add((long)ProtoWire.ReadVarint(field.Bytes.Span, ref position));
            foreach (var v in values) yield return v;
        }
    }

    public void Remove(int number) => Fields.RemoveAll(f => f.Number == number);

    /// <summary>Replaces every occurrence of <paramref name="number"/> with one field, keeping the first one's place.</summary>
    public void Set(ProtoField field)
    {
        var index = Fields.FindIndex(f => f.Number == field.Number);
        Remove(field.Number);
        if (index < 0 || index > Fields.Count) Fields.Add(field); else Fields.Insert(index, field);
    }

    public void SetString(int number, string value) => Set(ProtoField.OfString(number, value));

    public void SetInt(int number, long value) => Set(ProtoField.OfVarint(number, (ulong)value));

    public void Add(ProtoField field) => Fields.Add(field);

    public int ComputeSize()
    {
        var size = 0;
        foreach (var field in Fields) size += field.ComputeSize();
        return size;
    }

    public byte[] ToByteArray()
    {
        var buffer = new byte[ComputeSize()];
        var position = 0;
        WriteTo(buffer, ref position);
        if (position != buffer.Length) throw new InvalidOperationException("protobuf size and written bytes differ");
        return buffer;
    }

    internal void WriteTo(Span<byte> buffer, ref int position)
    {
        foreach (var field in Fields) field.WriteTo(buffer, ref position);
    }
}

/// <summary>Bytes that are not a valid protocol-buffers message.</summary>
internal sealed class ProtoFormatException(string message) : Exception($"not a valid protobuf message: {message}");
