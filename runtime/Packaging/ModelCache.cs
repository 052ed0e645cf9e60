namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Blobs already fetched, keyed by digest under <c>$XDG_CACHE_HOME/model-runtime</c> (else <c>~/.cache/model-runtime</c>):
/// a second pull of the same digest reads them from here. A blob enters only after its digest and size were verified.
/// </summary>
internal sealed class ModelCache(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public static string DefaultRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "model-runtime");
    }

    public static ModelCache Default() => new(DefaultRoot());

    public string BlobPath(string digest) => Path.Combine(Root, "blobs", "sha256", Digest.Hex(digest));

    /// <summary>Where an archive layer is unpacked; the directory appears only once complete.</summary>
    public string UnpackedPath(string digest) => Path.Combine(Root, "unpacked", Digest.Hex(digest));

    /// <summary>The cached blob's path when present and intact (re-hashed, so a damaged cache entry is dropped, not used).</summary>
    public async Task<string?> FindAsync(OciDescriptor blob, CancellationToken ct)
    {
        var path = BlobPath(blob.Digest);
        if (!File.Exists(path)) return null;
        if (new FileInfo(path).Length == blob.Size && (await Digest.OfFileAsync(path, ct)).Digest == blob.Digest) return path;
        File.Delete(path);
        return null;
    }

    /// <summary>Streams <paramref name="source"/> into the cache, verifying digest and size; nothing is kept on a mismatch.</summary>
    public async Task<string> StoreAsync(Stream source, OciDescriptor expected, string where, ITransferProgress progress, CancellationToken ct)
    {
        var ingest = Path.Combine(Root, "ingest");
        Directory.CreateDirectory(ingest);
        var temp = Path.Combine(ingest, Guid.NewGuid().ToString("N"));
        try
        {
            string digest;
            long size;
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                (digest, size) = await HashingCopy.CopyAsync(source, target, expected.Size, progress, ct, $"blob {expected.Digest} from {where}");
            }
            if (digest != expected.Digest || size != expected.Size)
                throw new DigestMismatchException(expected.Digest, digest, expected.Size, size, where);
            var path = BlobPath(expected.Digest);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temp, path, overwrite: true);
            return path;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public async Task<string> StoreBytesAsync(byte[] content, CancellationToken ct)
    {
        var path = BlobPath(Digest.Of(content));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + $".{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, content, ct);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
