using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>The handful of built-in validation rules an operator's writes can trip over.</summary>
internal static class BuiltInValidator
{
    public static IEnumerable<FieldCause> Validate(ResourceType type, JsonObject obj, JsonObject? old)
    {
        foreach (var cause in Immutable(type, obj, old)) yield return cause;
        switch (type.Kind)
        {
            case "Deployment" or "ReplicaSet":
                foreach (var cause in ValidateWorkload(obj)) yield return cause;
                break;
            case "Pod":
                foreach (var cause in ValidateContainers(obj["spec"] as JsonObject, "spec")) yield return cause;
                break;
            case "Service":
                if (obj["spec"]?["ports"] is JsonArray ports)
                    for (var i = 0; i < ports.Count; i++)
                        if (ports[i]?["port"] is null) yield return FieldCause.Required($"spec.ports[{i}].port");
                break;
        }
    }

    /// <summary>Fields the API server refuses to change once set.</summary>
    private static IEnumerable<FieldCause> Immutable(ResourceType type, JsonObject obj, JsonObject? old)
    {
        if (old is null) yield break;
        string[] paths = type.Kind switch
        {
            "Deployment" or "ReplicaSet" => ["spec.selector"],
            "Service" => ["spec.clusterIP"],
            "ConfigMap" or "Secret" when JsonNumber.Bool(old["immutable"]) == true => ["data", "binaryData", "stringData", "immutable"],
            _ => [],
        };
        foreach (var path in paths)
        {
            var before = Read(old, path);
            var after = Read(obj, path);
            if (before is null || JsonNode.DeepEquals(before, after)) continue;
            var shown = after is JsonObject ? "v1.LabelSelector" + after.ToJsonString() : after?.ToJsonString() ?? "null";
            yield return type.Kind is "ConfigMap" or "Secret"
                ? FieldCause.Forbidden(path, "Forbidden: field is immutable when `immutable` is set")
                : FieldCause.Invalid(path, $"Invalid value: {shown}: field is immutable");
        }
    }

    private static JsonNode? Read(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.')) node = (node as JsonObject)?[part];
        return node;
    }

    private static IEnumerable<FieldCause> ValidateWorkload(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        if (spec?["selector"] is not JsonObject selector) { yield return FieldCause.Required("spec.selector"); yield break; }
        var templateLabels = spec["template"]?["metadata"]?["labels"] as JsonObject ?? [];
        var matchLabels = selector["matchLabels"] as JsonObject ?? [];
        if (matchLabels.Count == 0 && selector["matchExpressions"] is not JsonArray { Count: > 0 })
            yield return FieldCause.Invalid("spec.selector", "Invalid value: \"null\": empty selector is invalid for deployment");
        foreach (var (key, value) in matchLabels)
            if (templateLabels[key]?.ToString() != value?.ToString())
            {
                yield return FieldCause.Invalid("spec.template.metadata.labels",
                    $"Invalid value: {templateLabels.ToJsonString()}: `selector` does not match template `labels`");
                break;
            }
        if (JsonNumber.Long(spec["replicas"]) is { } replicas && replicas < 0)
            yield return FieldCause.Invalid("spec.replicas", $"Invalid value: {replicas}: must be greater than or equal to 0");
        foreach (var cause in ValidateContainers(spec["template"]?["spec"] as JsonObject, "spec.template.spec")) yield return cause;
    }

    private static IEnumerable<FieldCause> ValidateContainers(JsonObject? podSpec, string path)
    {
        if (podSpec?["containers"] is not JsonArray { Count: > 0 } containers) { yield return FieldCause.Required($"{path}.containers"); yield break; }
        for (var i = 0; i < containers.Count; i++)
        {
            if (containers[i]?["name"] is null) yield return FieldCause.Required($"{path}.containers[{i}].name");
            if (containers[i]?["image"] is null) yield return FieldCause.Required($"{path}.containers[{i}].image");
        }
    }
}
