namespace ModelOperator.Runtime.Store;

/// <summary>Picks the <see cref="IModelSource"/> that understands a model reference.</summary>
internal static class ModelSources
{
    /// <summary>Every known source, most specific first; the local-file source comes last because it takes any plain path.</summary>
    public static IReadOnlyList<IModelSource> Default() =>
    [
        new OciModelSource(),
        new HttpsModelSource(),
        new S3.S3ModelSource(),
        new LocalFileModelSource(),
    ];

    public static async Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        var expected = HttpsModelSource.NormalizeSha256(options.Sha256);
        var source = Default().FirstOrDefault(s => s.CanResolve(reference))
            ?? throw new ArgumentException($"unsupported model reference '{reference}': expected a local path, file://, oci://, https:// or s3://");
        if (options.NodeCache is not null && source is not OciModelSource)
            throw new ArgumentException($"--model-cache-dir applies only to oci:// models, not '{reference}'");
        var resolved = await source.ResolveAsync(reference, options, cancellationToken);
        // A local file is not pulled at all; https:// and s3:// downloads are not counted.
        resolved = resolved with { Fetch = resolved.Fetch ?? new NodeCache.ModelFetch(NodeCache.ModelFetch.Off, source is LocalFileModelSource ? 0 : null, resolved.Digest) };
        if (expected is null || source is HttpsModelSource or S3.S3ModelSource) return resolved; // a download checks it while streaming
        // --sha256 pins the ONNX file itself, wherever it came from: never accepted and then ignored.
        var (actual, _) = await Packaging.Digest.OfFileAsync(resolved.OnnxPath, cancellationToken);
        if (actual != expected)
            throw new Packaging.PackageException($"--sha256 {expected} does not match the model from '{reference}': its ONNX file's sha256 is {actual}");
        return resolved with { Digest = resolved.Digest ?? actual };
    }
}
