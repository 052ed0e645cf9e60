using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>The autoscaling/v1 Scale view of a resource with a scale subresource, and writing one back.</summary>
internal static class ScaleView
{
    public static JsonObject From(ResourceType type, JsonObject obj)
    {
        var paths = type.Scale!;
        var meta = ObjectMeta.Of(obj);
        var status = new JsonObject { ["replicas"] = Read(obj, paths.StatusReplicasPath)?.DeepClone() ?? 0 };
        var selector = type.IsCustom
            ? (paths.LabelSelectorPath is null ? null : Read(obj, paths.LabelSelectorPath)?.ToString())
            : SelectorString(obj["spec"]?["selector"] as JsonObject);
        if (!string.IsNullOrEmpty(selector)) status["selector"] = selector;
        return new JsonObject
        {
            ["kind"] = "Scale", ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = meta["name"]?.DeepClone(), ["namespace"] = meta["namespace"]?.DeepClone(), ["uid"] = meta["uid"]?.DeepClone(),
                ["resourceVersion"] = meta["resourceVersion"]?.DeepClone(), ["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = Read(obj, paths.SpecReplicasPath)?.DeepClone() ?? 0 },
            ["status"] = status,
        };
    }

    /// <summary>A copy of <paramref name="obj"/> with the Scale's spec.replicas and resourceVersion written into it.</summary>
    public static JsonObject Into(ResourceType type, JsonObject obj, JsonObject scale)
    {
        var copy = (JsonObject)obj.DeepClone();
        var replicas = scale["spec"]?["replicas"]?.DeepClone() ?? 0;
        var segments = type.Scale!.SpecReplicasPath.TrimStart('.').Split('.');
        var node = copy;
        foreach (var segment in segments[..^1]) node = node[segment] as JsonObject ?? (JsonObject)(node[segment] = new JsonObject());
        node[segments[^1]] = replicas;
        if (scale["metadata"]?["resourceVersion"]?.ToString() is { Length: > 0 } rv) ObjectMeta.Of(copy)["resourceVersion"] = rv;
        else ObjectMeta.Of(copy).Remove("resourceVersion");
        return copy;
    }

    private static JsonNode? Read(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.TrimStart('.').Split('.')) node = (node as JsonObject)?[segment];
        return node;
    }

    private static string? SelectorString(JsonObject? selector)
    {
        if (selector is null) return null;
        var parts = (selector["matchLabels"] as JsonObject ?? []).Select(kv => $"{kv.Key}={kv.Value}").ToList();
        foreach (var e in (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var values = string.Join(",", (e["values"] as JsonArray ?? []).Select(v => v!.ToString()));
            parts.Add(e["operator"]?.ToString() switch
            {
                "In" => $"{e["key"]} in ({values})", "NotIn" => $"{e["key"]} notin ({values})",
                "Exists" => $"{e["key"]}", _ => $"!{e["key"]}",
            });
        }
        return string.Join(",", parts);
    }
}
