using System.Text.Json.Serialization;

namespace ModelOperator.Runtime.Packaging;

/// <summary>An OCI content descriptor: what a blob is, its digest and size.</summary>
internal sealed record OciDescriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    Dictionary<string, string>? Annotations = null,
    [property: JsonPropertyName("artifactType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    string? ArtifactType = null);

/// <summary>An OCI image manifest (image-spec v1.1), used as a ModelPack artifact manifest.</summary>
internal sealed record OciManifest(
    [property: JsonPropertyName("schemaVersion"), JsonPropertyOrder(0)] int SchemaVersion,
    [property: JsonPropertyName("config"), JsonPropertyOrder(3)] OciDescriptor Config,
    [property: JsonPropertyName("layers"), JsonPropertyOrder(4)] IReadOnlyList<OciDescriptor> Layers,
    [property: JsonPropertyName("mediaType"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MediaType = null,
    [property: JsonPropertyName("artifactType"), JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ArtifactType = null,
    [property: JsonPropertyName("annotations"), JsonPropertyOrder(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    Dictionary<string, string>? Annotations = null);

/// <summary>The <c>index.json</c> of an OCI image layout.</summary>
internal sealed record OciIndex(
    [property: JsonPropertyName("schemaVersion"), JsonPropertyOrder(0)] int SchemaVersion,
    [property: JsonPropertyName("manifests"), JsonPropertyOrder(2)] IReadOnlyList<OciDescriptor> Manifests,
    [property: JsonPropertyName("mediaType"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MediaType = null);
