using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>A pulled package: the manifest digest, its config, and the ONNX file in the cache, with the config and layer blobs it came from.</summary>
internal sealed record PulledPackage(ImageReference Reference, string ManifestDigest, ModelConfig Config, string CachedModelPath, long Size,
    OciDescriptor? ConfigBlob = null, OciDescriptor? LayerBlob = null);

/// <summary>
/// Fetches a model package through the digest-keyed cache: the manifest (checked against a pinned digest), then the
/// config and the ONNX layer, each verified while streaming. Only a complete, verified package reaches the output directory.
/// </summary>
internal sealed class ModelPuller(OciRegistryClient client, ModelCache cache, IProgressFactory progress, ILogger logger)
{
    public async Task<PulledPackage> PullAsync(string? outputDir, bool force, CancellationToken ct)
    {
        if (outputDir is not null) StagedDirectory.EnsureReplaceable(outputDir, force);
        var reference = client.Reference;
        var where = reference.ToString();
        var (manifestBytes, manifestDigest, mediaType) = await FetchManifestAsync(reference, ct);
        var manifest = ModelPackageRules.ParseManifest(manifestBytes, mediaType, where);
        var (layer, fileName) = ModelPackageRules.Check(manifest, where);
        var configPath = await EnsureBlobAsync(manifest.Config, where, ct);
        var config = ModelConfigReader.Read(await File.ReadAllBytesAsync(configPath, ct), layer, fileName, where);
        ModelPackageRules.CheckConfig(config, layer, where);
        var layerPath = await EnsureBlobAsync(layer, where, ct);
        var (modelPath, unpacked) = await ModelFileAsync(cache, layer, layerPath, config, where, ct);
        config = WithSignature(config, modelPath, fileName, where);
        if (outputDir is not null)
            await WriteLayoutAsync(outputDir, force, mediaType, manifestBytes, manifestDigest, manifest, layer, fileName, unpacked,
                reference.Tag ?? config.Descriptor.Version, blob => EnsureBlobAsync(blob, where, ct), ct);
        logger.LogInformation("Pulled {Reference} ({Digest}): {Name} {Version}", where, manifestDigest, config.Descriptor.Name, config.Descriptor.Version);
        return new PulledPackage(reference.WithDigest(manifestDigest), manifestDigest, config, modelPath, layer.Size, manifest.Config, layer);
    }

    /// <summary>
    /// The ONNX file of a cached layer: the blob itself, or for an archive layer the one .onnx file unpacked from it
    /// (checked against the config's sha256) with the folder it was unpacked into.
    /// </summary>
    public static async Task<(string ModelPath, string? Unpacked)> ModelFileAsync(ModelCache cache, OciDescriptor layer, string layerPath,
        ModelConfig config, string where, CancellationToken ct)
    {
        if (!ArchiveLayer.IsArchive(layer.MediaType)) return (layerPath, null);
        var unpacked = cache.UnpackedPath(layer.Digest);
        var modelPath = Directory.Exists(unpacked) && Directory.GetFiles(unpacked, "*.onnx", SearchOption.AllDirectories) is [var found]
            ? found
            : await ArchiveLayer.ExtractAsync(layerPath, layer.MediaType, unpacked, where, ct);
        var (modelDigest, _) = await Digest.OfFileAsync(modelPath, ct);
        if (config.Config.Sha256.Length > 0 && modelDigest != "sha256:" + config.Config.Sha256)
            throw new DigestMismatchException("sha256:" + config.Config.Sha256, modelDigest, -1, new FileInfo(modelPath).Length,
                $"the model file in the archive layer of {where}");
        return (modelPath, unpacked);
    }

    /// <summary>Checks that the model file is ONNX, taking its signature when the config (from another ModelPack tool) has none.</summary>
    public static ModelConfig WithSignature(ModelConfig config, string modelPath, string fileName, string where)
    {
        try
        {
            var signature = OnnxModelReader.ReadSignature(modelPath);
            return config.SignatureFromModel ? config with { Config = config.Config with { Signature = signature } } : config;
        }
        catch (PackageException e)
        {
            throw new PackageException($"the layer '{fileName}' of {where} is not a valid ONNX model: ONNX Runtime says: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>
    /// Writes a verified package as an OCI image layout in <paramref name="outputDir"/>, with the model file beside it;
    /// staged next to the target and moved into place only when complete.
    /// </summary>
    public static async Task WriteLayoutAsync(string outputDir, bool force, string mediaType, byte[] manifestBytes, string manifestDigest,
        OciManifest manifest, OciDescriptor layer, string fileName, string? unpacked, string refName, Func<OciDescriptor, Task<string>> cachedBlob,
        CancellationToken ct)
    {
        using var staged = new StagedDirectory(outputDir, force);
        var layout = new OciLayout(staged.Path);
        await layout.WriteBlobAsync(mediaType, manifestBytes, ct);
        foreach (var blob in new[] { manifest.Config }.Concat(manifest.Layers))
        {
            var source = await cachedBlob(blob);
            await using var input = File.OpenRead(source);
            var target = layout.BlobPath(blob.Digest);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var output = File.Create(target))
            {
                var (digest, size) = await HashingCopy.CopyAsync(input, output, blob.Size, null, ct, $"cached blob {blob.Digest}");
                if (digest != blob.Digest || size != blob.Size) throw new DigestMismatchException(blob.Digest, digest, blob.Size, size, source);
            }
        }
        if (unpacked is null)
            HardLink.CreateOrCopy(layout.BlobPath(layer.Digest), PathGuard.ResolveInside(staged.Path, fileName));
        else
            foreach (var file in Directory.GetFiles(unpacked, "*", SearchOption.AllDirectories))
                HardLink.CreateOrCopy(file, PathGuard.ResolveInside(staged.Path, Path.GetRelativePath(unpacked, file)));
        await layout.WriteIndexAsync(new OciDescriptor(MediaTypes.OciManifest, manifestDigest, manifestBytes.Length,
            new Dictionary<string, string> { [OciLayout.RefNameAnnotation] = refName }, MediaTypes.ModelArtifact), ct);
        staged.Commit();
    }

    /// <summary>The manifest by pinned digest from the cache when there, else from the registry, checked against the digest asked for.</summary>
    public async Task<(byte[] Bytes, string Digest, string MediaType)> FetchManifestAsync(ImageReference reference, CancellationToken ct)
    {
        if (reference.Digest is { } pinned && File.Exists(cache.BlobPath(pinned)))
        {
            var cached = await File.ReadAllBytesAsync(cache.BlobPath(pinned), ct);
            if (Digest.Of(cached) == pinned)
            {
                logger.LogInformation("Found manifest {Digest} in the cache", pinned);
                return (cached, pinned, MediaTypes.OciManifest);
            }
        }
        var (bytes, mediaType, registryDigest) = await client.GetManifestAsync(reference.ManifestReference, ct);
        var actual = Digest.Of(bytes);
        var expected = reference.Digest ?? registryDigest;
        if (expected is not null && expected != actual)
            throw new DigestMismatchException(expected, actual, -1, bytes.Length, $"the manifest of {reference}");
        await cache.StoreBytesAsync(bytes, ct);
        return (bytes, actual, mediaType);
    }

    /// <summary>A blob's path in the cache, downloading and verifying it first when it is not there.</summary>
    public async Task<string> EnsureBlobAsync(OciDescriptor blob, string where, CancellationToken ct)
    {
        if (await cache.FindAsync(blob, ct) is { } cached) return cached;
        using var response = await client.GetBlobAsync(blob.Digest, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var bar = progress.Start("Downloading", blob);
        var path = await cache.StoreAsync(stream, blob, where, bar, ct);
        progress.Finish(bar);
        return path;
    }
}
