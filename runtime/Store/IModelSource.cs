namespace ModelOperator.Runtime.Store;

/// <summary>Turns a model reference given to <c>serve --model</c> into an ONNX file on local disk.</summary>
internal interface IModelSource
{
    /// <summary>True when this source understands the reference (by its scheme, or a plain path for local files).</summary>
    bool CanResolve(string reference);

    /// <summary>Fetches the model (or finds it in the cache) and returns where its ONNX file lies on disk.</summary>
    Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken);
}

/// <summary>How to fetch: plain HTTP for a registry without TLS, an expected sha256 for an https:// download.</summary>
internal sealed record ModelSourceOptions(bool PlainHttp = false, string? Sha256 = null);

/// <summary>A model on local disk, with what is known of where it came from.</summary>
internal sealed record ResolvedModel(string OnnxPath, string? Digest = null, string? Name = null, string? Version = null);
