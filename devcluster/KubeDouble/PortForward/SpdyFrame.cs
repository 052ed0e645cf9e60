using System.Buffers.Binary;

namespace ModelOperator.KubeDouble.PortForward;

/// <summary>
/// One SPDY/3 frame (SPDY Protocol Draft 3, 2.2): a control frame (version 3, a type, flags, its payload) or a data
/// frame (a stream id, flags, its payload). Reads and writes the 8-byte frame header; the payloads are the caller's.
/// </summary>
internal readonly record struct SpdyFrame(bool Control, ushort Type, uint StreamId, byte Flags, byte[] Payload)
{
    public const ushort SynStream = 1, SynReply = 2, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7, Headers = 8, WindowUpdate = 9;
    public const byte FlagFin = 0x01;
    private const int MaxPayload = 0xFFFFFF;

    public bool Fin => (Flags & FlagFin) != 0;

    /// <summary>Reads the next frame, or null at the end of the stream.</summary>
    public static async Task<SpdyFrame?> ReadAsync(Stream input, CancellationToken ct)
    {
        var header = new byte[8];
        var read = await input.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct);
        if (read == 0) return null;
        if (read < header.Length) throw new InvalidDataException("the SPDY stream ended inside a frame header");
        var length = (header[5] << 16) | (header[6] << 8) | header[7];
        var payload = new byte[length];
        await input.ReadExactlyAsync(payload, ct);
        var first = BinaryPrimitives.ReadUInt32BigEndian(header);
        if ((first & 0x80000000) != 0)
        {
            var version = (first >> 16) & 0x7FFF;
            if (version != 3) throw new InvalidDataException($"SPDY version {version} is not supported (only 3)");
            return new SpdyFrame(true, (ushort)(first & 0xFFFF), 0, header[4], payload);
        }
        return new SpdyFrame(false, 0, first & 0x7FFFFFFF, header[4], payload);
    }

    /// <summary>The bytes of a control frame.</summary>
    public static byte[] ControlBytes(ushort type, byte flags, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x80030000u | type);
        WriteFlagsAndLength(bytes, flags, payload.Length);
        payload.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    /// <summary>The bytes of a data frame on <paramref name="streamId"/>.</summary>
    public static byte[] DataBytes(uint streamId, byte flags, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, streamId & 0x7FFFFFFF);
        WriteFlagsAndLength(bytes, flags, payload.Length);
        payload.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    private static void WriteFlagsAndLength(byte[] bytes, byte flags, int length)
    {
        if (length > MaxPayload) throw new ArgumentOutOfRangeException(nameof(length), "a SPDY frame carries at most 16 MiB");
        bytes[4] = flags;
        bytes[5] = (byte)(length >> 16);
        bytes[6] = (byte)(length >> 8);
        bytes[7] = (byte)length;
    }
}
