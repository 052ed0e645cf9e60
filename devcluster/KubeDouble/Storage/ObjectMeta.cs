using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Storage;

/// <summary>Reads and writes the metadata of schema-less objects.</summary>
internal static class ObjectMeta
{
    public static JsonObject Of(JsonObject obj) =>
        obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());

    public static (string Namespace, string Name) Key(JsonObject obj) =>
        (Of(obj)["namespace"]?.GetValue<string>() ?? "", Of(obj)["name"]?.GetValue<string>() ?? "");

    public static string? Str(JsonObject obj, string field) =>
        Of(obj)[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(JsonObject obj) => Str(obj, "name") ?? "";
    public static string Namespace(JsonObject obj) => Str(obj, "namespace") ?? "";
    public static string Uid(JsonObject obj) => Str(obj, "uid") ?? "";
    public static bool IsDeleting(JsonObject obj) => Str(obj, "deletionTimestamp") is not null;

    public static IReadOnlyDictionary<string, string> Labels(JsonObject obj) =>
        Of(obj)["labels"] is JsonObject labels
            ? labels.Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString())
            : new Dictionary<string, string>();

    public static List<string> Finalizers(JsonObject obj) =>
        Of(obj)["finalizers"] is JsonArray items ? [.. items.Select(i => i?.ToString() ?? "")] : [];

    public static void SetFinalizers(JsonObject obj, IEnumerable<string> finalizers)
    {
        var list = finalizers.ToList();
        if (list.Count == 0) Of(obj).Remove("finalizers");
        else Of(obj)["finalizers"] = new JsonArray([.. list.Select(f => (JsonNode)JsonValue.Create(f))]);
    }

    public static IEnumerable<JsonObject> OwnerReferences(JsonObject obj) =>
        Of(obj)["ownerReferences"] is JsonArray refs ? refs.OfType<JsonObject>() : [];

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
}
