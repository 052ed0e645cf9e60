using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store;

/// <summary>A model already on disk: a plain path or a <c>file://</c> URI (a pvc:// model is mounted and served this way).</summary>
internal sealed class LocalFileModelSource : IModelSource
{
    public bool CanResolve(string reference) =>
        reference.StartsWith("file://", StringComparison.OrdinalIgnoreCase) || !reference.Contains("://", StringComparison.Ordinal);

    /// <summary>Finds the file; with an expected sha256 the file must have it, so a pinned model on a volume is checked too.</summary>
    public async Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        var path = reference.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(reference).LocalPath : reference;
        path = Path.GetFullPath(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        if (HttpsModelSource.NormalizeSha256(options.Sha256) is not { } expected) return new ResolvedModel(path);
        var (digest, length) = await Digest.OfFileAsync(path, cancellationToken);
        if (digest != expected) throw new DigestMismatchException(expected, digest, length, length, path);
        return new ResolvedModel(path, digest);
    }
}
