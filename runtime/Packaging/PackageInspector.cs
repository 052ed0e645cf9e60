using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Reads a package's summary from an OCI layout on disk or from a registry (manifest and config only, not the model).</summary>
internal static class PackageInspector
{
    public static async Task<PackageSummary> FromDirectoryAsync(string dir, CancellationToken ct)
    {
        var package = await LocalPackage.OpenAsync(dir, ct);
        return PackageSummary.From(package.Layout.Root, package.ManifestDescriptor.Digest, package.Layer.Size, package.Config);
    }

    public static async Task<PackageSummary> FromRegistryAsync(OciRegistryClient client, ModelCache cache, ILogger logger, CancellationToken ct)
    {
        var puller = new ModelPuller(client, cache, NoProgress.Instance, logger);
        var where = client.Reference.ToString();
        var (bytes, digest, mediaType) = await puller.FetchManifestAsync(client.Reference, ct);
        var manifest = ModelPackageRules.ParseManifest(bytes, mediaType, where);
        var (layer, _) = ModelPackageRules.Check(manifest, where);
        var configPath = await puller.EnsureBlobAsync(manifest.Config, where, ct);
        var config = PackageJson.Deserialize<ModelConfig>(await File.ReadAllBytesAsync(configPath, ct), $"the config of {where}");
        ModelPackageRules.CheckConfig(config, layer, where);
        return PackageSummary.From(client.Reference.WithDigest(digest).ToString(), digest, layer.Size, config);
    }
}
