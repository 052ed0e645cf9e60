using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.S3;

/// <summary>
/// A model package read from a packed OCI image layout under an S3 prefix: its index, manifest and config, each
/// checked against its digest. The model layer is fetched on demand, verified, into the digest-keyed cache.
/// </summary>
internal sealed record S3Package(S3Location Location, OciDescriptor ManifestDescriptor, byte[] ManifestBytes, OciManifest Manifest,
    OciDescriptor Layer, string FileName, ModelConfig Config)
{
    /// <summary>The small files (index.json, manifest, config) are read into memory; anything larger is not a package's.</summary>
    private const long MaxSmallFile = 4 << 20;

    public string Where => $"the package at {Location}";

    /// <summary>The sha256 of the package's ONNX file, known before the layer is downloaded: the raw layer's digest, or the config's for an archive.</summary>
    public string ModelSha256 => Layer.MediaType == MediaTypes.WeightRaw ? Layer.Digest : "sha256:" + Config.Config.Sha256;

    /// <summary>The package under the prefix, or null when the prefix holds no <c>index.json</c>.</summary>
    public static async Task<S3Package?> TryReadAsync(S3ObjectStore store, S3Location location, CancellationToken ct)
    {
        var indexKey = location.LayoutKey("index.json");
        byte[] indexBytes;
        using (var response = await store.GetAsync(location.Bucket, indexKey, missingIsNull: true, ct))
        {
            if (response is null) return null;
            indexBytes = await ReadSmallAsync(store, response, location.Bucket, indexKey, ct);
        }
        var where = $"the package at {location}";
        var index = PackageJson.Deserialize<OciIndex>(indexBytes, $"{location.LayoutKey("index.json")}");
        if (index.Manifests.Count != 1)
            throw new PackageException($"{location.LayoutKey("index.json")} lists {index.Manifests.Count} manifests; a model package has exactly one");
        var descriptor = index.Manifests[0];
        Digest.Validate(descriptor.Digest, $"the manifest of {where}");
        var manifestBytes = await ReadBlobAsync(store, location, descriptor, ct);
        var manifest = ModelPackageRules.ParseManifest(manifestBytes, descriptor.MediaType, where);
        var (layer, fileName) = ModelPackageRules.Check(manifest, where);
        var config = ModelConfigReader.Read(await ReadBlobAsync(store, location, manifest.Config, ct), layer, fileName, where);
        ModelPackageRules.CheckConfig(config, layer, where);
        return new S3Package(location, descriptor, manifestBytes, manifest, layer, fileName, config);
    }

    /// <summary>A blob's path in the cache, downloading and verifying it (digest and size) first when it is not there.</summary>
    public async Task<string> EnsureBlobAsync(S3ObjectStore store, ModelCache cache, OciDescriptor blob, IProgressFactory progress, CancellationToken ct)
    {
        if (await cache.FindAsync(blob, ct) is { } cached) return cached;
        using var response = await OpenBlobAsync(store, Location, blob, ct);
        await using var stream = response.ResponseStream;
        var bar = progress.Start("Downloading", blob);
        var path = await cache.StoreAsync(stream, blob, $"{Location.LayoutKey(BlobKey(blob.Digest))}", bar, ct);
        progress.Finish(bar);
        return path;
    }

    /// <summary>
    /// Opens the package under <paramref name="location"/>; a key naming an ONNX file or a prefix without
    /// <c>index.json</c> is refused, since pull and inspect work on packages.
    /// </summary>
    public static async Task<S3Package> ReadAsync(S3ObjectStore store, S3Location location, CancellationToken ct)
    {
        if (location.IsOnnxFile)
            throw new PackageException($"{location} is a single ONNX file, not a package; serve it as it is, or pack it with 'model-runtime pack {location}'");
        return await TryReadAsync(store, location, ct)
            ?? throw new PackageException($"{location} holds no packed model: s3://{location.Bucket}/{location.LayoutKey("index.json")} does not exist " +
                $"(at {store.Settings.Describe()}); upload the directory 'model-runtime pack' writes under that prefix");
    }

    /// <summary>Downloads and verifies the model layer and returns the ONNX file in the cache, with the config (its signature read from the model if it had none).</summary>
    public async Task<(string ModelPath, string? Unpacked, ModelConfig Config)> FetchModelAsync(S3ObjectStore store, ModelCache cache,
        IProgressFactory progress, CancellationToken ct)
    {
        var layerPath = await EnsureBlobAsync(store, cache, Layer, progress, ct);
        var (modelPath, unpacked) = await ModelPuller.ModelFileAsync(cache, Layer, layerPath, Config, Where, ct);
        return (modelPath, unpacked, ModelPuller.WithSignature(Config, modelPath, FileName, Where));
    }

    /// <summary>Writes the verified package into <paramref name="outputDir"/> as <c>pull</c> does for a registry.</summary>
    public async Task<ModelConfig> PullAsync(S3ObjectStore store, ModelCache cache, string outputDir, bool force, IProgressFactory progress, CancellationToken ct)
    {
        StagedDirectory.EnsureReplaceable(outputDir, force);
        var (_, unpacked, config) = await FetchModelAsync(store, cache, progress, ct);
        var refName = ManifestDescriptor.Annotations?.GetValueOrDefault(OciLayout.RefNameAnnotation) ?? config.Descriptor.Version;
        await ModelPuller.WriteLayoutAsync(outputDir, force, ManifestDescriptor.MediaType, ManifestBytes, ManifestDescriptor.Digest, Manifest,
            Layer, FileName, unpacked, refName, blob => EnsureBlobAsync(store, cache, blob, progress, ct), ct);
        return config;
    }

    private static string BlobKey(string digest) => $"blobs/sha256/{Digest.Hex(digest)}";

    private static async Task<Amazon.S3.Model.GetObjectResponse> OpenBlobAsync(S3ObjectStore store, S3Location location, OciDescriptor blob, CancellationToken ct)
    {
        var key = location.LayoutKey(BlobKey(blob.Digest));
        return await store.GetAsync(location.Bucket, key, missingIsNull: true, ct)
            ?? throw new PackageException($"the package at {location} lists blob {blob.Digest} ({blob.MediaType}) but s3://{location.Bucket}/{key} does not exist");
    }

    private static async Task<byte[]> ReadBlobAsync(S3ObjectStore store, S3Location location, OciDescriptor blob, CancellationToken ct)
    {
        if (blob.Size is < 0 or > MaxSmallFile)
            throw new PackageException($"the package at {location} gives {blob.MediaType} a size of {blob.Size} bytes; at most {MaxSmallFile} are read");
        using var response = await OpenBlobAsync(store, location, blob, ct);
        var bytes = await ReadSmallAsync(store, response, location.Bucket, response.Key, ct);
        var actual = Digest.Of(bytes);
        if (actual != blob.Digest || bytes.Length != blob.Size)
            throw new DigestMismatchException(blob.Digest, actual, blob.Size, bytes.Length, $"s3://{location.Bucket}/{response.Key}");
        return bytes;
    }

    private static async Task<byte[]> ReadSmallAsync(S3ObjectStore store, Amazon.S3.Model.GetObjectResponse response, string bucket, string key, CancellationToken ct)
    {
        if (response.ContentLength > MaxSmallFile)
            throw new PackageException($"s3://{bucket}/{key} is {response.ContentLength} bytes; a package's index, manifest and config are at most {MaxSmallFile}");
        try
        {
            await using var stream = response.ResponseStream;
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (IOException e)
        {
            throw store.Explain(e, bucket, key);
        }
    }
}
