namespace ModelOperator.Runtime.Store;

/// <summary>Turns a model reference given to <c>serve --model</c> into an ONNX file on local disk.</summary>
internal interface IModelSource
{
    /// <summary>True when this source understands the reference (by its scheme, or a plain path for local files).</summary>
    bool CanResolve(string reference);

    /// <summary>Fetches the model (or finds it in the cache) and returns where its ONNX file lies on disk.</summary>
    Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// How to fetch: plain HTTP for a registry without TLS, the expected sha256 of the ONNX file (checked for https://,
/// s3:// and local files; an oci:// reference pins its manifest by digest instead), extra CAs to trust, and for s3://
/// the endpoint, region and addressing (null: from the environment); the node cache an oci:// model goes through
/// (<c>--model-cache-dir</c>), with who holds its lease (the pod).
/// </summary>
internal sealed record ModelSourceOptions(bool PlainHttp = false, string? Sha256 = null, string? CaFile = null, S3.S3Settings? S3 = null,
    NodeCache.NodeModelCache? NodeCache = null, string CacheOwner = "model-runtime");

/// <summary>
/// A model on local disk, with what is known of where it came from; <paramref name="InputShapes"/> are the benchmark
/// input shapes a package recorded (<c>pack --input-shape</c>), null for a bare ONNX file. <paramref name="Fetch"/> says
/// whether it was pulled or found in the node cache; <paramref name="Lease"/>, with a node cache, keeps the entry from
/// eviction while it is held (the server holds it until it stops).
/// </summary>
internal sealed record ResolvedModel(string OnnxPath, string? Digest = null, string? Name = null, string? Version = null,
    IReadOnlyDictionary<string, long[]>? InputShapes = null, NodeCache.ModelFetch? Fetch = null, IDisposable? Lease = null);
