namespace ModelOperator.Runtime.Packaging;

/// <summary>Content whose digest or size differs from what its descriptor promised: tampered or corrupted.</summary>
internal sealed class DigestMismatchException(string expected, string actual, long expectedSize, long actualSize, string where)
    : Exception($"digest mismatch for blob from {where}: expected {expected} ({expectedSize} bytes), actual {actual} ({actualSize} bytes); refusing it")
{
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}
