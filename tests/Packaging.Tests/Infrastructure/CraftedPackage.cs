using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>
/// Pushes a hand-made manifest and blobs straight through the registry client, for packages that
/// <c>pack</c> would never write (a non-ONNX layer, a hostile file name, a plain container image).
/// </summary>
internal static class CraftedPackage
{
    public sealed record Layer(string MediaType, byte[] Content, string? Title = null);

    public static async Task<string> PushAsync(Packages packages, TempDir dir, string reference, string configMediaType, byte[] config,
        params Layer[] layers)
    {
        var client = packages.Client(reference);
        async Task<OciDescriptor> Upload(string mediaType, byte[] content, Dictionary<string, string>? annotations)
        {
            var descriptor = new OciDescriptor(mediaType, Digest.Of(content), content.Length, annotations);
            var path = dir[$"crafted-{Guid.NewGuid():N}"];
            await File.WriteAllBytesAsync(path, content);
            if (!await client.BlobExistsAsync(descriptor.Digest, CancellationToken.None))
                await client.UploadBlobAsync(path, descriptor, NoProgress.Instance, CancellationToken.None);
            return descriptor;
        }
        var configDescriptor = await Upload(configMediaType, config, null);
        var layerDescriptors = new List<OciDescriptor>();
        foreach (var layer in layers)
            layerDescriptors.Add(await Upload(layer.MediaType, layer.Content,
                layer.Title is null ? null : new Dictionary<string, string> { [MediaTypes.TitleAnnotation] = layer.Title }));
        var manifest = PackageJson.Serialize(new OciManifest(2, configDescriptor, layerDescriptors, MediaTypes.OciManifest));
        var tag = ImageReference.Parse(reference).Tag!;
        return await client.PutManifestAsync(manifest, MediaTypes.OciManifest, tag, CancellationToken.None);
    }

    /// <summary>A model config that claims an ONNX file with <paramref name="layer"/>'s digest.</summary>
    public static byte[] ModelConfigFor(byte[] layer, string fileName = "model.onnx") => PackageJson.Serialize(new ModelConfig(
        new ModelDescriptor("crafted", "1", DateTimeOffset.UtcNow),
        new ModelProperties("onnx", fileName, Digest.Hex(Digest.Of(layer)), new ModelSignature([], [])),
        new ModelFs("layers", [Digest.Of(layer)])));
}
