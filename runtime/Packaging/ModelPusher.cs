using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>What a push did: the manifest digest, and which blobs went up and which the registry already had.</summary>
internal sealed record PushResult(ImageReference Reference, string ManifestDigest, IReadOnlyList<string> Uploaded, IReadOnlyList<string> Skipped);

/// <summary>Publishes a packed OCI layout: blobs first (skipping those the registry has), then the manifest.</summary>
internal sealed class ModelPusher(OciRegistryClient client, IProgressFactory progress, ILogger logger)
{
    public async Task<PushResult> PushAsync(string layoutDir, CancellationToken ct)
    {
        var package = await LocalPackage.OpenAsync(layoutDir, ct);
        var reference = client.Reference;
        if (reference.Digest is { } pinned && pinned != package.ManifestDescriptor.Digest)
            throw new PackageException($"the reference pins {pinned} but the package's manifest is {package.ManifestDescriptor.Digest}");
        var uploaded = new List<string>();
        var skipped = new List<string>();
        foreach (var blob in new[] { package.Manifest.Config }.Concat(package.Manifest.Layers))
        {
            var path = package.Layout.BlobPath(blob.Digest);
            if (!File.Exists(path))
                throw new PackageException($"blob {blob.Digest} ({blob.MediaType}) named by the manifest is missing from '{package.Layout.Root}'");
            var (actual, size) = await Digest.OfFileAsync(path, ct);
            if (actual != blob.Digest || size != blob.Size) throw new DigestMismatchException(blob.Digest, actual, blob.Size, size, path);
            if (await client.BlobExistsAsync(blob.Digest, ct))
            {
                logger.LogInformation("Skipped blob {Digest}: the registry already has it", blob.Digest);
                skipped.Add(blob.Digest);
                continue;
            }
            var bar = progress.Start("Uploading", blob);
            await client.UploadBlobAsync(path, blob, bar, ct);
            progress.Finish(bar);
            uploaded.Add(blob.Digest);
        }
        var digest = await client.PutManifestAsync(package.ManifestBytes, MediaTypes.OciManifest, reference.Tag ?? package.ManifestDescriptor.Digest, ct);
        if (digest != package.ManifestDescriptor.Digest)
            throw new PackageException($"the registry stored the manifest as {digest} but it is {package.ManifestDescriptor.Digest}");
        logger.LogInformation("Pushed {Reference} as {Digest} ({Uploaded} blobs uploaded, {Skipped} skipped)", reference, digest, uploaded.Count, skipped.Count);
        return new PushResult(reference, digest, uploaded, skipped);
    }
}
