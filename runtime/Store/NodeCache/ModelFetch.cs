namespace ModelOperator.Runtime.Store.NodeCache;

/// <summary>
/// How a pod got its model, as <c>GET /v2/models/{name}/benchmark</c> reports it under <c>modelSource</c> and the
/// operator copies into <c>status.benchmarks</c>: from the node cache (<c>hit</c>), pulled into it (<c>miss</c>), or
/// without a node cache (<c>off</c>).
/// </summary>
/// <param name="Cache"><c>hit</c>, <c>miss</c> or <c>off</c>.</param>
/// <param name="BytesPulled">Bytes downloaded from the registry for this pod; null where the source does not count them (https://, s3://).</param>
/// <param name="Digest">The digest the cache entry is keyed by (the manifest digest of an oci:// model).</param>
/// <param name="Reason">Why the cache missed when it had an entry (it failed verification), or why it is off for this model.</param>
public sealed record ModelFetch(string Cache, long? BytesPulled, string? Digest = null, string? Reason = null)
{
    public const string Hit = "hit";
    public const string Miss = "miss";
    public const string Off = "off";
}
