namespace ModelOperator.Runtime.Packaging;

/// <summary>A model package read from an OCI image layout on disk, every small blob checked against its digest.</summary>
internal sealed record LocalPackage(OciLayout Layout, OciDescriptor ManifestDescriptor, byte[] ManifestBytes, OciManifest Manifest,
    OciDescriptor Layer, string FileName, ModelConfig Config)
{
    public static async Task<LocalPackage> OpenAsync(string dir, CancellationToken ct)
    {
        var layout = new OciLayout(dir);
        var (descriptor, bytes) = await layout.ReadManifestAsync(ct);
        var where = $"the package in '{layout.Root}'";
        var manifest = ModelPackageRules.ParseManifest(bytes, descriptor.MediaType, where);
        var (layer, fileName) = ModelPackageRules.Check(manifest, where);
        var config = ModelConfigReader.Read(await layout.ReadBlobAsync(manifest.Config, ct), layer, fileName, where);
        ModelPackageRules.CheckConfig(config, layer, where);
        return new LocalPackage(layout, descriptor, bytes, manifest, layer, fileName, config);
    }
}
