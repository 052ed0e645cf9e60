using System.Text.Json.Serialization;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// The package config blob (<c>application/vnd.cncf.model.config.v1+json</c>): the ModelPack <c>descriptor</c>,
/// <c>config</c> and <c>modelfs</c> sections, with the model signature and the sha256 of the ONNX file.
/// </summary>
internal sealed record ModelConfig(
    [property: JsonPropertyName("descriptor")] ModelDescriptor Descriptor,
    [property: JsonPropertyName("config")] ModelProperties Config,
    [property: JsonPropertyName("modelfs")] ModelFs ModelFs)
{
    /// <summary>True for a package from another ModelPack tool whose config has no signature: it is read from the model instead.</summary>
    [JsonIgnore] public bool SignatureFromModel { get; init; }
}

internal sealed record ModelDescriptor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null,
    [property: JsonPropertyName("licenses"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Licenses = null,
    [property: JsonPropertyName("labels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Labels = null);

internal sealed record ModelProperties(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("fileName")] string FileName,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("signature")] ModelSignature Signature,
    [property: JsonPropertyName("optimization"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ModelOptimization? Optimization = null,
    [property: JsonPropertyName("compression"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Compression.CompressionReport? Compression = null,
    [property: JsonPropertyName("inputShapes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, long[]>? InputShapes = null);

/// <summary>What <c>--optimize</c> did: which tool and level, and the sha256 of the original file.</summary>
internal sealed record ModelOptimization(
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("originalSha256")] string OriginalSha256);

/// <summary>ModelPack's <c>modelfs</c>: the diff ids of the layers (their digests, as they are not compressed).</summary>
internal sealed record ModelFs(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("diffIds")] IReadOnlyList<string> DiffIds);

/// <summary>The model's inputs and outputs.</summary>
internal sealed record ModelSignature(
    [property: JsonPropertyName("inputs")] IReadOnlyList<TensorSpec> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<TensorSpec> Outputs);

/// <summary>One tensor: its name, Open Inference Protocol datatype and shape (-1 for a dynamic dimension).</summary>
internal sealed record TensorSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape);
