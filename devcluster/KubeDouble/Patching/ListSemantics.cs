using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>How a list field merges and is owned: replaced whole (atomic), a set of scalars, or a map keyed by fields.</summary>
internal sealed record ListSemantics(string Kind, IReadOnlyList<string> Keys)
{
    public static readonly ListSemantics Atomic = new("atomic", []);
    public static readonly ListSemantics Set = new("set", []);
    public static ListSemantics Map(params string[] keys) => new("map", keys);

    public bool IsMap => Kind == "map";
    public bool IsSet => Kind == "set";

    /// <summary>
    /// The semantics of the list at <paramref name="fieldPath"/> (field names only) of an object of <paramref name="type"/>:
    /// the patch merge keys of the built-in types, or x-kubernetes-list-type/-map-keys from a CRD's schema.
    /// </summary>
    public static ListSemantics For(ResourceType type, IReadOnlyList<string> fieldPath)
    {
        if (fieldPath.Count == 2 && fieldPath[0] == "metadata")
        {
            if (fieldPath[1] == "finalizers") return Set;
            if (fieldPath[1] == "ownerReferences") return Map("uid");
        }
        if (type.IsCustom) return FromSchema(type.Schema, fieldPath);
        var field = fieldPath[^1];
        var parent = fieldPath.Count > 1 ? fieldPath[^2] : "";
        return field switch
        {
            "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" => Map("name"),
            "volumeMounts" => Map("mountPath"),
            "volumeDevices" => Map("devicePath"),
            "conditions" => Map("type"),
            "ports" when parent is "spec" && type.Kind == "Service" => Map("port", "protocol"),
            "ports" => Map("containerPort", "protocol"),
            "hostAliases" => Map("ip"),
            "topologySpreadConstraints" => Map("topologyKey", "whenUnsatisfiable"),
            "resourceClaims" => Map("name"),
            _ => Atomic,
        };
    }

    private static ListSemantics FromSchema(JsonObject? schema, IReadOnlyList<string> fieldPath)
    {
        JsonObject? node = schema;
        foreach (var field in fieldPath)
        {
            if (node is null) return Atomic;
            if (node["type"]?.ToString() == "array") node = node["items"] as JsonObject;
            node = (node?["properties"] as JsonObject)?[field] as JsonObject
                ?? node?["additionalProperties"] as JsonObject;
        }
        return node?["x-kubernetes-list-type"]?.ToString() switch
        {
            "map" => Map([.. (node["x-kubernetes-list-map-keys"] as JsonArray ?? []).Select(k => k!.ToString())]),
            "set" => Set,
            _ => Atomic,
        };
    }

    /// <summary>The key path element of a map-list item, as managedFields write it: <c>k:{"name":"web"}</c>.</summary>
    public string ItemKey(JsonNode? item)
    {
        if (IsSet) return "v:" + (item?.ToJsonString() ?? "null");
        var key = new JsonObject();
        foreach (var k in Keys.Order(StringComparer.Ordinal))
            if (item is JsonObject o && o[k] is { } v) key[k] = v.DeepClone();
        return "k:" + key.ToJsonString();
    }
}
