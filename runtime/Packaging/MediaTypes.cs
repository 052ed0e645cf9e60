namespace ModelOperator.Runtime.Packaging;

/// <summary>Media types of the OCI image spec and the CNCF ModelPack spec that a model package uses.</summary>
internal static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string ModelArtifact = "application/vnd.cncf.model.manifest.v1+json";
    public const string ModelConfig = "application/vnd.cncf.model.config.v1+json";
    public const string WeightRaw = "application/vnd.cncf.model.weight.v1.raw";
    public const string WeightTar = "application/vnd.cncf.model.weight.v1.tar";
    public const string WeightTarGzip = "application/vnd.cncf.model.weight.v1.tar+gzip";

    /// <summary>The OCI annotation that names a layer's file.</summary>
    public const string TitleAnnotation = "org.opencontainers.image.title";

    public static bool IsWeight(string mediaType) => mediaType is WeightRaw or WeightTar or WeightTarGzip;
}
