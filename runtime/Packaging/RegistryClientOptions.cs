namespace ModelOperator.Runtime.Packaging;

/// <summary>How an <see cref="OciRegistryClient"/> talks to a registry.</summary>
/// <param name="PlainHttp">Use http:// instead of https:// (a registry without TLS, e.g. on loopback).</param>
/// <param name="MaxRetries">Retries of a request the registry answered with a 5xx; other failures are not retried.</param>
/// <param name="RetryBaseDelay">First backoff delay; each retry doubles it.</param>
/// <param name="MonolithicLimit">Blobs up to this size go up in one PUT; larger ones in chunks of <paramref name="ChunkSize"/>.</param>
internal sealed record RegistryClientOptions(
    bool PlainHttp = false,
    int MaxRetries = 3,
    TimeSpan? RetryBaseDelay = null,
    long MonolithicLimit = 32L << 20,
    int ChunkSize = 16 << 20)
{
    public TimeSpan BaseDelay => RetryBaseDelay ?? TimeSpan.FromMilliseconds(250);
}
