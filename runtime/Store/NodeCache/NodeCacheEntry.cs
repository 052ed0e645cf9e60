using System.Text.Json;
using System.Text.Json.Serialization;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.NodeCache;

/// <summary>One file of a cache entry, relative to the cache root, with the digest and size it was verified to have.</summary>
internal sealed record CachedFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size);

/// <summary>
/// The marker of a complete cache entry (<c>entries/&lt;hex&gt;/complete.json</c>), written only after every file of it
/// was verified; with it, what a later pod needs to serve the model without asking the registry.
/// </summary>
internal sealed record NodeCacheEntry(
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("modelPath")] string ModelPath,
    [property: JsonPropertyName("files")] IReadOnlyList<CachedFile> Files,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("version")] string? Version = null,
    [property: JsonPropertyName("inputShapes")] IReadOnlyDictionary<string, long[]>? InputShapes = null)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Bytes the entry's files take (files shared with other entries counted in each).</summary>
    [JsonIgnore] public long Size => Files.Sum(f => f.Size);

    public static NodeCacheEntry? Read(string markerPath)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeCacheEntry>(File.ReadAllBytes(markerPath), Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // A torn or edited marker is no marker: the entry is pulled again.
            return null;
        }
    }

    /// <summary>Writes the marker atomically (a whole file or none).</summary>
    public void Write(string markerPath)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(markerPath)!);
        var temp = markerPath + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, Json));
        File.Move(temp, markerPath, overwrite: true);
    }

    /// <summary>
    /// Re-hashes every file against the digest and size it was stored with; null when all match, else what is wrong
    /// with the first that does not (with <paramref name="deleteDamaged"/>, the file is then deleted, so the pull that
    /// follows fetches it again; only under the digest's exclusive lock).
    /// </summary>
    public async Task<string?> VerifyAsync(string root, CancellationToken ct, bool deleteDamaged = true)
    {
        foreach (var file in Files)
        {
            var path = System.IO.Path.Combine(root, file.Path);
            if (!File.Exists(path)) return $"{file.Path} is missing";
            var length = new FileInfo(path).Length;
            string? problem = null;
            if (length != file.Size) problem = $"{file.Path} has {length} bytes, expected {file.Size}";
            else if ((await Packaging.Digest.OfFileAsync(path, ct)).Digest is var actual && actual != file.Digest)
                problem = $"{file.Path} has digest {actual}, expected {file.Digest}";
            if (problem is null) continue;
            if (deleteDamaged) File.Delete(path);
            return problem;
        }
        return null;
    }

    /// <summary>The file record of a file now in the cache, hashed (a file the puller verified is hashed again only here).</summary>
    public static async Task<CachedFile> DescribeAsync(string root, string path, CancellationToken ct)
    {
        var (digest, size) = await Packaging.Digest.OfFileAsync(path, ct);
        return new CachedFile(System.IO.Path.GetRelativePath(root, path), digest, size);
    }

    /// <summary>The record of a blob the puller verified against its descriptor: no second hash.</summary>
    public static CachedFile Blob(ModelCache cache, OciDescriptor blob) =>
        new(System.IO.Path.GetRelativePath(cache.Root, cache.BlobPath(blob.Digest)), blob.Digest, blob.Size);
}
