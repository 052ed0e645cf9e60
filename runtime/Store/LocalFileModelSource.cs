namespace ModelOperator.Runtime.Store;

/// <summary>A model already on disk: a plain path or a <c>file://</c> URI.</summary>
internal sealed class LocalFileModelSource : IModelSource
{
    public bool CanResolve(string reference) =>
        reference.StartsWith("file://", StringComparison.OrdinalIgnoreCase) || !reference.Contains("://", StringComparison.Ordinal);

    public Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        var path = reference.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(reference).LocalPath : reference;
        path = Path.GetFullPath(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        return Task.FromResult(new ResolvedModel(path));
    }
}
