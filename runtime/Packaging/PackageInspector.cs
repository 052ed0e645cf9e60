using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Reads a package's summary from an OCI layout on disk or from a registry (manifest and config only, not the model).</summary>
internal static class PackageInspector
{
    public static async Task<PackageSummary> FromDirectoryAsync(string dir, CancellationToken ct)
    {
        var package = await LocalPackage.OpenAsync(dir, ct);
        var config = package.Config;
        if (config.SignatureFromModel && package.Layer.MediaType == MediaTypes.WeightRaw)
            config = config with { Config = config.Config with { Signature = OnnxModelReader.ReadSignature(package.Layout.BlobPath(package.Layer.Digest)) } };
        return PackageSummary.From(package.Layout.Root, package.ManifestDescriptor.Digest, package.Layer.Size, config);
    }

    public static async Task<PackageSummary> FromRegistryAsync(OciRegistryClient client, ModelCache cache, ILogger logger, CancellationToken ct)
    {
        var puller = new ModelPuller(client, cache, NoProgress.Instance, logger);
        var where = client.Reference.ToString();
        var (bytes, digest, mediaType) = await puller.FetchManifestAsync(client.Reference, ct);
        var manifest = ModelPackageRules.ParseManifest(bytes, mediaType, where);
        var (layer, fileName) = ModelPackageRules.Check(manifest, where);
        var configPath = await puller.EnsureBlobAsync(manifest.Config, where, ct);
        var config = ModelConfigReader.Read(await File.ReadAllBytesAsync(configPath, ct), layer, fileName, where);
        ModelPackageRules.CheckConfig(config, layer, where);
        var summary = PackageSummary.From(client.Reference.WithDigest(digest).ToString(), digest, layer.Size, config);
        return config.SignatureFromModel
            ? summary with { SignatureSource = "model when pulled (the config has none: made by another ModelPack tool; inspect does not download the model)" }
            : summary;
    }
}
