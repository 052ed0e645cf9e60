using System.Buffers;

namespace ModelOperator.Runtime.Inference;

/// <summary>
/// Byte arrays for request bodies, tensors and responses: small ones from the shared pool (no allocation per request),
/// large ones (1 MB and up) allocated and left to the GC, because the shared pool keeps every array it is given back
/// for ever, so a burst of large requests would hold its memory after the burst.
/// </summary>
internal static class RequestBuffers
{
    public const int LargeBytes = 1 << 20;

    public static byte[] Rent(int length) =>
        length >= LargeBytes ? GC.AllocateUninitializedArray<byte>(length) : ArrayPool<byte>.Shared.Rent(length);

    public static void Return(byte[] buffer)
    {
        if (buffer.Length < LargeBytes) ArrayPool<byte>.Shared.Return(buffer);
    }
}
