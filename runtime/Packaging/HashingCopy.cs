using System.Buffers;
using System.Security.Cryptography;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Copies a stream in bounded chunks while hashing it, so a model is verified without ever being held in memory.</summary>
internal static class HashingCopy
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/> and returns the sha256 digest and byte count.
    /// With <paramref name="expectedSize"/>, bytes past the promised size are hashed but not written, so the caller can
    /// name the actual digest; a stream far longer than promised is cut off.
    /// </summary>
    public static async Task<(string Digest, long Size)> CopyAsync(
        Stream source, Stream target, long? expectedSize, ITransferProgress? progress, CancellationToken ct, string? what = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0)
            {
                var writable = expectedSize is { } limit ? (int)Math.Clamp(limit - total, 0, read) : read;
                total += read;
                if (expectedSize is { } promised && total > promised * 2 + (64L << 20))
                    throw new PackageException($"{what ?? "blob"}: received far more than the {promised} bytes its descriptor promised; refusing it");
                hash.AppendData(buffer, 0, read);
                if (writable > 0) await target.WriteAsync(buffer.AsMemory(0, writable), ct);
                progress?.Advance(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (Digest.FromHash(hash.GetHashAndReset()), total);
    }
}
