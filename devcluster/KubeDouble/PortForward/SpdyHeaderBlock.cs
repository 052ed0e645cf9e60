using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ModelOperator.KubeDouble.PortForward;

/// <summary>
/// SPDY/3 name/value header blocks (2.6.10) of one connection and direction. Received blocks are one zlib stream across
/// the connection, compressed with <see cref="SpdyDictionary"/>; .NET's inflater takes no preset dictionary, so the
/// dictionary is fed to it first as a stored deflate block (its output skipped), which lets later back-references
/// reach it exactly as a preset dictionary would. Sent blocks are stored (uncompressed) deflate blocks in a zlib stream
/// without a dictionary, each ended as a sync flush ends, which every zlib reader accepts.
/// </summary>
internal sealed class SpdyHeaderBlock : IDisposable
{
    private readonly FeedStream _feed = new();
    private readonly DeflateStream _inflater;
    private bool _inflaterStarted;
    private bool _deflaterStarted;

    public SpdyHeaderBlock() => _inflater = new DeflateStream(_feed, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>Decompresses one received header block; names lower case as SPDY sends them, repeated values joined by NUL.</summary>
    public Dictionary<string, string> Decode(ReadOnlySpan<byte> compressed)
    {
        if (!_inflaterStarted)
        {
            if (compressed.Length < 2 || (compressed[0] & 0x0F) != 8) throw new InvalidDataException("the SPDY header block is not a zlib stream");
            var skip = (compressed[1] & 0x20) != 0 ? 6 : 2; // FDICT: a 4-byte dictionary id follows the 2-byte header
            _feed.Append(StoredBlock(SpdyDictionary.Bytes));
            compressed = compressed[skip..];
            _inflaterStarted = true;
            _feed.Append(compressed.ToArray());
            _inflater.ReadExactly(new byte[SpdyDictionary.Bytes.Length]);
        }
        else _feed.Append(compressed.ToArray());
        var plain = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = _inflater.Read(buffer)) > 0) plain.Write(buffer, 0, read);
        return Parse(plain.ToArray());
    }

    /// <summary>Encodes a header block to send.</summary>
    public byte[] Encode(IReadOnlyDictionary<string, string> headers)
    {
        var plain = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, headers.Count);
        plain.Write(number);
        foreach (var (name, value) in headers)
            foreach (var text in (string[])[name.ToLowerInvariant(), value])
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32BigEndian(number, bytes.Length);
                plain.Write(number);
                plain.Write(bytes);
            }
        // The empty stored block after the data is what a zlib sync flush writes: a reader returns the data on reaching
        // it, without reading on into the next frame (Go's inflater would take that frame's end as a truncated stream).
        byte[] block = [.. StoredBlock(plain.ToArray()), .. StoredBlock([])];
        if (_deflaterStarted) return block;
        _deflaterStarted = true;
        return [0x78, 0x01, .. block]; // zlib header: deflate, 32 KiB window, no dictionary
    }

    private static Dictionary<string, string> Parse(byte[] plain)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var at = 0;
        int Next()
        {
            if (plain.Length - at < 4) throw new InvalidDataException("a SPDY header block ended early");
            var n = BinaryPrimitives.ReadInt32BigEndian(plain.AsSpan(at));
            at += 4;
            return n;
        }
        string Text()
        {
            var length = Next();
            if (length < 0 || length > plain.Length - at) throw new InvalidDataException("a SPDY header block names more bytes than it holds");
            var text = Encoding.UTF8.GetString(plain, at, length);
            at += length;
            return text;
        }
        var count = Next();
        for (var i = 0; i < count; i++)
        {
            var name = Text();
            headers[name] = Text();
        }
        return headers;
    }

    /// <summary>A non-final stored deflate block (at most 65535 bytes) holding <paramref name="data"/>.</summary>
    private static byte[] StoredBlock(ReadOnlySpan<byte> data)
    {
        if (data.Length > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(data), "a stored deflate block holds at most 65535 bytes");
        var block = new byte[5 + data.Length];
        block[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), then padding to the byte boundary
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(1), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(3), (ushort)~data.Length);
        data.CopyTo(block.AsSpan(5));
        return block;
    }

    public void Dispose()
    {
        _inflater.Dispose();
        _feed.Dispose();
    }

    /// <summary>The inflater's input: what was appended so far; a read with nothing left returns 0 until more is appended.</summary>
    private sealed class FeedStream : Stream
    {
        private readonly Queue<byte[]> _chunks = new();
        private int _offset;

        public void Append(byte[] bytes) { if (bytes.Length > 0) _chunks.Enqueue(bytes); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_chunks.TryPeek(out var chunk)) return 0;
            var n = Math.Min(buffer.Length, chunk.Length - _offset);
            chunk.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            if (_offset == chunk.Length) { _chunks.Dequeue(); _offset = 0; }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
