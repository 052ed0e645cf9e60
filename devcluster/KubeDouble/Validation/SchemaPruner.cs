using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>
/// Drops fields a CRD's structural schema does not specify (unless x-kubernetes-preserve-unknown-fields), and nulls
/// of fields that are not nullable, as the API server prunes custom resources. Returns the paths it dropped so a
/// request with fieldValidation=Strict can be refused instead.
/// </summary>
internal static class SchemaPruner
{
    public static List<string> Prune(JsonObject schema, JsonObject obj)
    {
        var dropped = new List<string>();
        foreach (var (name, value) in obj.ToList())
        {
            if (name is "apiVersion" or "kind" or "metadata") continue;
            Walk(schema, obj, name, value, name, dropped);
        }
        return dropped;
    }

    private static void Walk(JsonObject parentSchema, JsonObject parent, string name, JsonNode? value, string path, List<string> dropped)
    {
        var schema = (parentSchema["properties"] as JsonObject)?[name] as JsonObject ?? parentSchema["additionalProperties"] as JsonObject;
        if (schema is null)
        {
            if (JsonNumber.Bool(parentSchema["x-kubernetes-preserve-unknown-fields"]) == true
                || JsonNumber.Bool(parentSchema["additionalProperties"]) == true) return;
            parent.Remove(name);
            dropped.Add(path);
            return;
        }
        if (value is null)
        {
            if (JsonNumber.Bool(schema["nullable"]) != true) parent.Remove(name);
            return;
        }
        PruneValue(schema, value, path, dropped);
    }

    private static void PruneValue(JsonObject schema, JsonNode value, string path, List<string> dropped)
    {
        switch (value)
        {
            case JsonObject o when schema["properties"] is not null || schema["additionalProperties"] is JsonObject
                                   || JsonNumber.Bool(schema["x-kubernetes-preserve-unknown-fields"]) != true:
                foreach (var (name, child) in o.ToList()) Walk(schema, o, name, child, $"{path}.{name}", dropped);
                break;
            case JsonArray a when schema["items"] is JsonObject items:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } item) PruneValue(items, item, $"{path}[{i}]", dropped);
                break;
        }
    }
}
