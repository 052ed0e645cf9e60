using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store;

/// <summary>A model already on disk: a plain path or a <c>file://</c> URI (a pvc:// model is mounted and served this way).</summary>
internal sealed class LocalFileModelSource : IModelSource
{
    public bool CanResolve(string reference) =>
        reference.StartsWith("file://", StringComparison.OrdinalIgnoreCase) || !reference.Contains("://", StringComparison.Ordinal);

    public async Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        var path = reference.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(reference).LocalPath : reference;
        if (string.IsNullOrWhiteSpace(path)) throw new FileNotFoundException("the model path is empty");
        path = Path.GetFullPath(path);
        if (Directory.Exists(path))
        {
            if (OciLayout.IsLayout(path)) return await FromLayoutAsync(path, cancellationToken);
            throw new PackageException($"'{path}' is a directory, not an ONNX model file nor a package (an OCI image layout with index.json and oci-layout)");
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        return new ResolvedModel(path);
    }

    /// <summary>A package directory (<c>pack</c> or <c>pull</c> output): its model blob, checked against the layer's digest.</summary>
    private static async Task<ResolvedModel> FromLayoutAsync(string dir, CancellationToken cancellationToken)
    {
        var package = await LocalPackage.OpenAsync(dir, cancellationToken);
        var where = $"the package in '{dir}'";
        if (package.Layer.MediaType != MediaTypes.WeightRaw)
            throw new PackageException($"{where} holds its model in an archive layer ('{package.Layer.MediaType}'); serve it by pushing it and using oci://, or serve the .onnx file");
        var blob = package.Layout.BlobPath(package.Layer.Digest);
        var (digest, size) = await Digest.OfFileAsync(blob, cancellationToken);
        if (digest != package.Layer.Digest) throw new DigestMismatchException(package.Layer.Digest, digest, package.Layer.Size, size, blob);
        return new ResolvedModel(blob, package.ManifestDescriptor.Digest, package.Config.Descriptor.Name, package.Config.Descriptor.Version,
            package.Config.Config.InputShapes);
    }
}
