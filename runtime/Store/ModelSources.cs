namespace ModelOperator.Runtime.Store;

/// <summary>Picks the <see cref="IModelSource"/> that understands a model reference.</summary>
internal static class ModelSources
{
    /// <summary>Every known source, most specific first; the local-file source comes last because it takes any plain path.</summary>
    public static IReadOnlyList<IModelSource> Default() =>
    [
        new OciModelSource(),
        new HttpsModelSource(),
        new LocalFileModelSource(),
    ];

    public static Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        var source = Default().FirstOrDefault(s => s.CanResolve(reference))
            ?? throw new ArgumentException($"unsupported model reference '{reference}': expected a local path, file://, oci:// or https://");
        return source.ResolveAsync(reference, options, cancellationToken);
    }
}
