namespace ModelOperator.Runtime.Protocol;

/// <summary>Limits a request must stay within, whatever transport it came by.</summary>
/// <param name="MaxBytesElements">
/// Most elements one <c>BYTES</c> input may hold: each element is an object of its own, so a body of empty strings
/// costs far more memory than its size (15 M empty strings in 60 MB took 1.2 GB before this limit).
/// </param>
internal sealed record InferRequestLimits(int MaxBytesElements = InferRequestLimits.DefaultMaxBytesElements)
{
    public const int DefaultMaxBytesElements = 1 << 20;

    public static readonly InferRequestLimits Default = new();
}
