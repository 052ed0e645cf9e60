using System.Security.Cryptography;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// An OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>) as image-spec v1.1 defines it.
/// Writing and reading both go through digests, so a blob's path can never be chosen by the package.
/// </summary>
internal sealed class OciLayout(string root)
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string LayoutFile = "oci-layout";
    private const string IndexFile = "index.json";

    public string Root { get; } = Path.GetFullPath(root);

    public string BlobPath(string digest) => Path.Combine(Root, "blobs", "sha256", Digest.Hex(digest));

    public static bool IsLayout(string dir) => File.Exists(Path.Combine(dir, LayoutFile)) && File.Exists(Path.Combine(dir, IndexFile));

    public async Task<OciDescriptor> WriteBlobAsync(string mediaType, byte[] content, CancellationToken ct, Dictionary<string, string>? annotations = null)
    {
        var digest = Digest.Of(content);
        var path = BlobPath(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await WriteReplacingAsync(path, content, ct);
        return new OciDescriptor(mediaType, digest, content.Length, annotations);
    }

    /// <summary>Copies a file in as a blob, hashing while copying so the file is read once.</summary>
    public async Task<OciDescriptor> CopyBlobAsync(string mediaType, string sourcePath, CancellationToken ct, Dictionary<string, string>? annotations = null)
    {
        var temp = Path.Combine(Root, "blobs", $".ingest-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        string digest;
        long size;
        await using (var source = File.OpenRead(sourcePath))
        await using (var target = File.Create(temp))
        {
            (digest, size) = await HashingCopy.CopyAsync(source, target, expectedSize: null, progress: null, ct);
        }
        var path = BlobPath(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Move(temp, path, overwrite: true);
        return new OciDescriptor(mediaType, digest, size, annotations);
    }

    public async Task WriteIndexAsync(OciDescriptor manifest, CancellationToken ct)
    {
        await WriteReplacingAsync(Path.Combine(Root, LayoutFile), "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray(), ct);
        var index = new OciIndex(2, [manifest], MediaTypes.OciIndex);
        await WriteReplacingAsync(Path.Combine(Root, IndexFile), PackageJson.Serialize(index), ct);
    }

    /// <summary>
    /// Writes a new file in place of any old one: the name is unlinked first, so that a file hard-linked to a blob
    /// (a model file) is never written through and its blob never overwritten.
    /// </summary>
    private static async Task WriteReplacingAsync(string path, byte[] content, CancellationToken ct)
    {
        File.Delete(path);
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        await stream.WriteAsync(content, ct);
    }

    /// <summary>Reads the layout's one manifest, checking its digest and size against the index.</summary>
    public async Task<(OciDescriptor Descriptor, byte[] Bytes)> ReadManifestAsync(CancellationToken ct)
    {
        if (!IsLayout(Root))
            throw new PackageException($"'{Root}' is not an OCI image layout (no oci-layout and index.json); create one with 'model-runtime pack'");
        var index = PackageJson.Deserialize<OciIndex>(await File.ReadAllBytesAsync(Path.Combine(Root, IndexFile), ct), $"{Root}/index.json");
        if (index.Manifests.Count != 1)
            throw new PackageException($"'{Root}/index.json' lists {index.Manifests.Count} manifests; a model package has exactly one");
        var descriptor = index.Manifests[0];
        var bytes = await ReadBlobAsync(descriptor, ct);
        return (descriptor, bytes);
    }

    /// <summary>Reads a small blob (manifest, config) and checks it against its descriptor.</summary>
    public async Task<byte[]> ReadBlobAsync(OciDescriptor descriptor, CancellationToken ct)
    {
        var path = BlobPath(descriptor.Digest);
        if (!File.Exists(path)) throw new PackageException($"blob {descriptor.Digest} ({descriptor.MediaType}) is missing from '{Root}'");
        var bytes = await File.ReadAllBytesAsync(path, ct);
        var actual = Digest.FromHash(SHA256.HashData(bytes));
        if (actual != descriptor.Digest || bytes.Length != descriptor.Size)
            throw new DigestMismatchException(descriptor.Digest, actual, descriptor.Size, bytes.Length, path);
        return bytes;
    }
}
