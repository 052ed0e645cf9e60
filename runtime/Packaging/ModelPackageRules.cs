namespace ModelOperator.Runtime.Packaging;

/// <summary>What makes an OCI manifest a model package this runtime can serve: a ModelPack config and one ONNX weight layer (raw, or a tar archive holding one .onnx file).</summary>
internal static class ModelPackageRules
{
    public const string DefaultFileName = "model.onnx";

    public static OciManifest ParseManifest(byte[] bytes, string mediaType, string where)
    {
        if (mediaType is MediaTypes.OciIndex or "application/vnd.docker.distribution.manifest.list.v2+json")
            throw new PackageException($"{where} is an image index (multi-platform image), not a model package");
        var manifest = PackageJson.Deserialize<OciManifest>(bytes, $"the manifest of {where}");
        if (manifest.SchemaVersion != 2) throw new PackageException($"the manifest of {where} has schemaVersion {manifest.SchemaVersion}, expected 2");
        return manifest;
    }

    /// <summary>Checks the manifest and returns its ONNX layer and the file name to give it.</summary>
    public static (OciDescriptor Layer, string FileName) Check(OciManifest manifest, string where)
    {
        if (manifest.Config.MediaType != MediaTypes.ModelConfig)
            throw new PackageException(
                $"{where} is not a model package: its config media type is '{manifest.Config.MediaType}', expected '{MediaTypes.ModelConfig}'");
        if (manifest.ArtifactType is { } artifactType && artifactType != MediaTypes.ModelArtifact)
            throw new PackageException($"{where} is not a model package: artifactType is '{artifactType}', expected '{MediaTypes.ModelArtifact}'");
        Digest.Validate(manifest.Config.Digest, $"the config of {where}");
        foreach (var layer in manifest.Layers) Digest.Validate(layer.Digest, $"a layer of {where}");
        var weights = manifest.Layers.Where(l => MediaTypes.IsWeight(l.MediaType)).ToList();
        if (weights.Count == 0)
            throw new PackageException($"{where} has no ONNX weight layer ('{MediaTypes.WeightRaw}'); its layers are: " +
                string.Join(", ", manifest.Layers.Select(l => $"'{l.MediaType}'")));
        if (weights.Count > 1) throw new PackageException($"{where} has {weights.Count} weight layers; a model package holds one ONNX file");
        var weight = weights[0];
        var fileName = weight.Annotations?.GetValueOrDefault(MediaTypes.TitleAnnotation) ?? DefaultFileName;
        PackageFileNames.Validate(fileName, where);
        return (weight, fileName);
    }

    /// <summary>Checks the config's format, and for a raw layer that the config's sha256 is the layer's (an archive is checked once unpacked).</summary>
    public static void CheckConfig(ModelConfig config, OciDescriptor layer, string where)
    {
        if (!string.Equals(config.Config.Format, "onnx", StringComparison.OrdinalIgnoreCase))
            throw new PackageException($"{where} holds a model of format '{config.Config.Format}'; only 'onnx' is supported");
        if (layer.MediaType == MediaTypes.WeightRaw && "sha256:" + config.Config.Sha256 != layer.Digest)
            throw new PackageException($"{where}: the config says the model's sha256 is {config.Config.Sha256} but its layer is {layer.Digest}");
    }
}
