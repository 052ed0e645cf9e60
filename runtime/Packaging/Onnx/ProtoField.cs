using System.Text;

namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>One field of a <see cref="ProtoMessage"/>: its number, wire type and value, with the sub-message parsed on first use.</summary>
internal sealed class ProtoField(int number, ProtoWireType wireType, ulong varint, ReadOnlyMemory<byte> bytes)
{
    private ProtoMessage? _message;

    public int Number { get; } = number;
    public ProtoWireType WireType { get; } = wireType;
    public ulong Varint { get; } = varint;
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    /// <summary>The field as a sub-message, parsed once; changes to it are written out by <see cref="ProtoMessage.ToByteArray"/>.</summary>
    public ProtoMessage Message => _message ??= WireType == ProtoWireType.LengthDelimited
        ? ProtoMessage.Parse(Bytes)
        : throw new ProtoFormatException($"field {Number} is not a message");

    public string String => WireType == ProtoWireType.LengthDelimited
        ? Encoding.UTF8.GetString(Bytes.Span)
        : throw new ProtoFormatException($"field {Number} is not a string");

    public static ProtoField OfVarint(int number, ulong value) => new(number, ProtoWireType.Varint, value, default);

    public static ProtoField OfString(int number, string value) => OfBytes(number, Encoding.UTF8.GetBytes(value));

    public static ProtoField OfBytes(int number, ReadOnlyMemory<byte> value) => new(number, ProtoWireType.LengthDelimited, 0, value);

    public static ProtoField OfMessage(int number, ProtoMessage message) =>
        new(number, ProtoWireType.LengthDelimited, 0, default) { _message = message };

    private int PayloadSize() => WireType switch
    {
        ProtoWireType.Varint => ProtoWire.VarintSize(Varint),
        ProtoWireType.LengthDelimited => _message?.ComputeSize() ?? Bytes.Length,
        _ => Bytes.Length,
    };

    public int ComputeSize()
    {
        var tag = ProtoWire.VarintSize((ulong)Number << 3);
        var payload = PayloadSize();
        return WireType == ProtoWireType.LengthDelimited ? tag + ProtoWire.VarintSize((ulong)payload) + payload : tag + payload;
    }

    public void WriteTo(Span<byte> buffer, ref int position)
    {
        ProtoWire.WriteVarint(buffer, ref position, ((ulong)Number << 3) | (ulong)WireType);
        switch (WireType)
        {
            case ProtoWireType.Varint:
                ProtoWire.WriteVarint(buffer, ref position, Varint);
                break;
            case ProtoWireType.LengthDelimited when _message is not null:
                ProtoWire.WriteVarint(buffer, ref position, (ulong)_message.ComputeSize());
                _message.WriteTo(buffer, ref position);
                break;
            case ProtoWireType.LengthDelimited:
                ProtoWire.WriteVarint(buffer, ref position, (ulong)Bytes.Length);
                Bytes.Span.CopyTo(buffer[position..]);
                position += Bytes.Length;
                break;
            default:
                Bytes.Span.CopyTo(buffer[position..]);
                position += Bytes.Length;
                break;
        }
    }
}
