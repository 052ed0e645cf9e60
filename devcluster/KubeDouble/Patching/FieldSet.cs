using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>
/// The set of field paths an object sets, as server-side apply tracks them. A path is its elements
/// (<c>f:spec</c>, <c>k:{"name":"web"}</c>, <c>v:"x"</c>) joined by <see cref="Separator"/>; each path maps to its value.
/// </summary>
internal static class FieldSet
{
    public const char Separator = '\u001f';

    private static readonly HashSet<string> UntrackedMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
            "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generateName"];

    /// <summary>Every leaf path an object sets, with its value (scalars, atomic lists, empty maps; list items as markers).</summary>
    public static Dictionary<string, JsonNode?> Leaves(ResourceType type, JsonObject obj)
    {
        var leaves = new Dictionary<string, JsonNode?>();
        foreach (var (field, value) in obj)
        {
            if (field is "apiVersion" or "kind") continue;
            if (field == "metadata" && value is JsonObject meta)
            {
                foreach (var (mf, mv) in meta)
                    if (!UntrackedMetadata.Contains(mf)) Walk(type, mv, ["metadata", mf], "f:metadata" + Separator + "f:" + mf, leaves);
                continue;
            }
            Walk(type, value, [field], "f:" + field, leaves);
        }
        return leaves;
    }

    private static void Walk(ResourceType type, JsonNode? node, List<string> fields, string path, Dictionary<string, JsonNode?> leaves)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (k, v) in o) Walk(type, v, [.. fields, k], path + Separator + "f:" + k, leaves);
                break;
            case JsonArray a when a.Count > 0 && ListSemantics.For(type, fields) is { Kind: not "atomic" } list:
                foreach (var item in a)
                {
                    var itemPath = path + Separator + list.ItemKey(item);
                    leaves[itemPath + Separator + "."] = list.IsSet ? item?.DeepClone() : null;
                    if (list.IsMap && item is JsonObject itemObject)
                        foreach (var (k, v) in itemObject) Walk(type, v, [.. fields, k], itemPath + Separator + "f:" + k, leaves);
                }
                break;
            default:
                leaves[path] = node?.DeepClone();
                break;
        }
    }

    /// <summary>Encodes a set of paths as managedFields' fieldsV1 tree.</summary>
    public static JsonObject Encode(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var element in path.Split(Separator))
                node = node[element] as JsonObject ?? (JsonObject)(node[element] = new JsonObject());
        }
        return root;
    }

    /// <summary>Decodes a fieldsV1 tree back to its leaf paths.</summary>
    public static HashSet<string> Decode(JsonObject? fieldsV1)
    {
        var paths = new HashSet<string>();
        if (fieldsV1 is not null) Collect(fieldsV1, "", paths);
        return paths;
    }

    private static void Collect(JsonObject node, string prefix, HashSet<string> paths)
    {
        foreach (var (element, child) in node)
        {
            var path = prefix.Length == 0 ? element : prefix + Separator + element;
            if (child is JsonObject c && c.Count > 0) Collect(c, path, paths);
            else paths.Add(path);
        }
    }

    /// <summary>Readable form of a path for conflict messages: <c>.spec.containers[name="web"].image</c>.</summary>
    public static string Describe(string path) => string.Concat(path.Split(Separator).Where(e => e != ".").Select(e => e switch
    {
        _ when e.StartsWith("f:") => "." + e[2..],
        _ when e.StartsWith("k:") => "[" + string.Join(",", (JsonNode.Parse(e[2..]) as JsonObject ?? []).Select(kv => $"{kv.Key}={kv.Value?.ToJsonString()}")) + "]",
        _ when e.StartsWith("v:") => $"[{e[2..]}]",
        _ => e,
    }));
}
