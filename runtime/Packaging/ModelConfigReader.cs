using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Reads a package config: ours strictly, and one from another ModelPack tool (its <c>config</c> has no <c>signature</c>)
/// leniently, taking the file name from the layer, the sha256 from a raw layer's digest, and marking the signature as
/// one to read from the model itself (<see cref="ModelConfig.SignatureFromModel"/>).
/// </summary>
internal static class ModelConfigReader
{
    public static ModelConfig Read(byte[] json, OciDescriptor layer, string fileName, string where)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PackageException($"the config of {where} is not valid JSON: {e.Message}", e);
        }
        if (root is not JsonObject document) throw new PackageException($"the config of {where} is not a JSON object");
        if (document["config"] is JsonObject { } ours && ours.ContainsKey("signature"))
            return PackageJson.Deserialize<ModelConfig>(json, $"the config of {where}");

        var descriptor = document["descriptor"] as JsonObject;
        var properties = document["config"] as JsonObject;
        var format = Text(properties, "format") ?? (fileName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? "onnx" : "");
        var created = DateTimeOffset.TryParse(Text(descriptor, "createdAt"), out var c) ? c : DateTimeOffset.UnixEpoch;
        var sha256 = layer.MediaType == MediaTypes.WeightRaw ? Digest.Hex(layer.Digest) : "";
        var diffIds = (document["modelfs"] as JsonObject)?["diffIds"] is JsonArray ids
            ? ids.Select(i => i?.GetValueKind() == JsonValueKind.String ? i.GetValue<string>() : "").ToList()
            : [layer.Digest];
        return new ModelConfig(
            new ModelDescriptor(Text(descriptor, "name") ?? Path.GetFileNameWithoutExtension(fileName), Text(descriptor, "version") ?? "", created,
                Text(descriptor, "description")),
            new ModelProperties(format, fileName, sha256, new ModelSignature([], [])),
            new ModelFs(Text(document["modelfs"] as JsonObject, "type") ?? "layers", diffIds))
        {
            SignatureFromModel = true,
        };
    }

    private static string? Text(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
