using ModelOperator.Runtime.Inference;
using System.Buffers;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>A request body read whole into a pooled buffer, refused with 413 as soon as it passes the size limit.</summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length) { _buffer = buffer; Length = length; }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>
    /// How much of an oversized body is read and thrown away before answering 413: a client still sending when the
    /// connection closes sees a reset instead of the answer, so small overruns are drained first.
    /// </summary>
    public const long DrainAllowance = 1024 * 1024;

    /// <param name="lease">When given, covers the body before it is read (its declared length) and as it grows (a chunked body).</param>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken,
        InflightLease? lease = null)
    {
        var declared = request.ContentLength;
        if (declared > maxBytes)
        {
            if (declared <= maxBytes + DrainAllowance) await DrainAsync(request.Body, cancellationToken);
            throw TooLarge(declared.Value, maxBytes);
        }
        lease?.Cover(declared ?? 0);
        // One byte more than declared lets the final read see the end without growing the buffer.
        var buffer = RequestBuffers.Rent((int)Math.Min((declared ?? 16 * 1024) + 1, maxBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        await DrainAsync(request.Body, cancellationToken);
                        throw TooLarge(length, maxBytes);
                    }
                    var bigger = RequestBuffers.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    RequestBuffers.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0) break;
                length += read;
                lease?.Cover(length);
            }
            if (length > maxBytes) throw TooLarge(length, maxBytes);
            return new RequestBody(buffer, length);
        }
        catch
        {
            RequestBuffers.Return(buffer);
            throw;
        }
    }

    /// <summary>Reads and drops what is left of a body, up to the server's limit.</summary>
    public static Task DiscardAsync(HttpRequest request, CancellationToken cancellationToken) =>
        DrainAsync(request.Body, cancellationToken);

    private static async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        var scratch = RequestBuffers.Rent(16 * 1024);
        try
        {
            // Kestrel's own limit (the body limit plus the allowance) ends this for bodies far over the limit.
            while (await body.ReadAsync(scratch, cancellationToken) > 0) { }
        }
        catch (BadHttpRequestException) { }
        finally { RequestBuffers.Return(scratch); }
    }

    private static ProtocolException TooLarge(long size, long max) =>
        ProtocolException.TooLarge($"the request body ({size} bytes or more) is over the limit of {max} bytes");

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) RequestBuffers.Return(buffer);
    }
}
