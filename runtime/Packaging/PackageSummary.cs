using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelOperator.Runtime.Packaging;

/// <summary>What <c>inspect</c> shows of a package: identity, size, signature and optimisation.</summary>
internal sealed record PackageSummary(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("file")] string FileName,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("license"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? License,
    [property: JsonPropertyName("labels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Labels,
    [property: JsonPropertyName("optimization"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ModelOptimization? Optimization,
    [property: JsonPropertyName("signature")] ModelSignature Signature,
    [property: JsonPropertyName("compression"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Compression.CompressionReport? Compression = null,
    [property: JsonPropertyName("inputShapes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, long[]>? InputShapes = null,
    [property: JsonPropertyName("signatureSource")] string SignatureSource = "config")
{
    public static PackageSummary From(string source, string digest, long size, ModelConfig config) => new(
        source, config.Descriptor.Name, config.Descriptor.Version, digest, size, config.Config.FileName, config.Config.Sha256,
        config.Descriptor.CreatedAt, config.Descriptor.Licenses is { Count: > 0 } l ? string.Join(", ", l) : null,
        config.Descriptor.Labels, config.Config.Optimization, config.Config.Signature,
        config.Config.Compression, config.Config.InputShapes,
        config.SignatureFromModel ? "model (the config has none: made by another ModelPack tool)" : "config");

    public string ToJson() => JsonSerializer.Serialize(this, PackageJson.Indented);

    public string ToTable()
    {
        var text = new StringBuilder();
        void Row(string key, string? value) { if (value is not null) text.AppendLine($"{key,-13}{value}"); }
        Row("Source", Source);
        Row("Name", Name);
        Row("Version", Version);
        Row("Digest", Digest);
        Row("Size", $"{Size} bytes ({Size / 1048576.0:F2} MiB)");
        Row("File", FileName);
        Row("Sha256", Sha256);
        Row("Created", Created.ToString("u"));
        Row("License", License);
        Row("Labels", Labels is null ? null : string.Join(", ", Labels.Select(kv => $"{kv.Key}={kv.Value}")));
        Row("Optimization", Optimization is null ? "none" : $"{Optimization.Tool} {Optimization.Level} (original sha256 {Optimization.OriginalSha256})");
        Row("Signature", SignatureSource == "config" ? null : $"from the {SignatureSource}");
        Row("Input shapes", InputShapes is null ? null : string.Join(", ", InputShapes.Select(kv => $"{kv.Key}=[{string.Join(",", kv.Value)}]")));
        if (Compression is not null) text.Append(ModelOperator.Runtime.Packaging.Compression.CompressionSummary.ToText(Compression));
        text.AppendLine();
        text.AppendLine($"{"KIND",-8}{"NAME",-28}{"DATATYPE",-10}SHAPE");
        foreach (var (kind, specs) in new[] { ("input", Signature.Inputs), ("output", Signature.Outputs) })
            foreach (var s in specs)
                text.AppendLine($"{kind,-8}{s.Name,-28}{s.Datatype,-10}[{string.Join(", ", s.Shape)}]");
        return text.ToString();
    }
}
