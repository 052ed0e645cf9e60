using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.S3;

/// <summary>
/// An ONNX object fetched for <c>pack s3://…</c>: verified into the cache, then linked under its own file name in a
/// temporary folder (so the package records the object's name, not a digest), which is removed on dispose.
/// </summary>
internal sealed class S3Download : IDisposable
{
    private readonly string _folder;

    public string Path { get; }

    private S3Download(string folder, string path)
    {
        _folder = folder;
        Path = path;
    }

    /// <summary>The downloaded file; null when <paramref name="settings"/> is null (<paramref name="reference"/> is not an s3:// one).</summary>
    public static async Task<S3Download?> OfAsync(string reference, S3Settings? settings, CancellationToken ct)
    {
        if (settings is null) return null;
        var location = S3Location.Parse(reference);
        if (!location.IsOnnxFile)
            throw new PackageException($"pack takes an ONNX file, and {location} does not end in .onnx; a prefix holding a package is pulled, not packed");
        var resolved = await new S3ModelSource().ResolveAsync(reference, new ModelSourceOptions(S3: settings), ct);
        var folder = Directory.CreateTempSubdirectory("model-runtime-pack-").FullName;
        var path = System.IO.Path.Combine(folder, System.IO.Path.GetFileName(location.Key));
        HardLink.CreateOrCopy(resolved.OnnxPath, path);
        return new S3Download(folder, path);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
