using System.Buffers;

namespace ModelOperator.Runtime.Inference;

/// <summary>
/// A named tensor in row-major order: numeric data as little-endian bytes in a pooled buffer, or, for <c>BYTES</c>,
/// one byte array per element. Dispose returns the buffer to the pool.
/// </summary>
internal sealed class TensorData : IDisposable
{
    private byte[]? _buffer;

    private TensorData(string name, Datatype datatype, long[] shape, byte[]? buffer, int byteLength, byte[][]? elements)
    {
        Name = name; Datatype = datatype; Shape = shape; _buffer = buffer; ByteLength = byteLength; Elements = elements;
    }

    public string Name { get; }
    public Datatype Datatype { get; }
    public long[] Shape { get; }

    /// <summary>Length of the numeric data in <see cref="Buffer"/>.</summary>
    public int ByteLength { get; }

    /// <summary>The elements of a <c>BYTES</c> tensor; null for numeric tensors.</summary>
    public byte[][]? Elements { get; }

    public long ElementCount => ElementCountOf(Shape);

    /// <summary>The pooled buffer; only the first <see cref="ByteLength"/> bytes are data.</summary>
    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(Name);

    public Span<byte> Bytes => Buffer.AsSpan(0, ByteLength);

    /// <summary>A numeric tensor whose buffer is rented and still to be filled by the caller.</summary>
    public static TensorData Rent(string name, Datatype datatype, long[] shape)
    {
        if (datatype.IsBytes) throw new ArgumentException("BYTES tensors hold elements, not a buffer", nameof(datatype));
        var length = checked((int)(ElementCountOf(shape) * datatype.Size));
        return new TensorData(name, datatype, shape, RequestBuffers.Rent(Math.Max(length, 1)), length, null);
    }

    public static TensorData FromElements(string name, long[] shape, byte[][] elements) =>
        new(name, Datatype.Bytes, shape, null, 0, elements);

    public static long ElementCountOf(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var d in shape) count = checked(count * d);
        return count;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) RequestBuffers.Return(buffer);
    }
}
