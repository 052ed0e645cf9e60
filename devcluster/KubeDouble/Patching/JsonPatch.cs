using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>RFC 6902 JSON patch: add, remove, replace, move, copy and test, with RFC 6901 pointers.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonNode? patch)
    {
        if (patch is not JsonArray operations) throw ApiException.BadRequest("json patch must be a JSON array of operations");
        var doc = (JsonObject)target.DeepClone();
        foreach (var op in operations)
        {
            if (op is not JsonObject o) throw ApiException.BadRequest("json patch operation must be an object");
            var kind = o["op"]?.ToString() ?? throw ApiException.BadRequest("json patch operation has no \"op\"");
            var path = o["path"]?.ToString() ?? throw ApiException.BadRequest($"json patch operation {kind} has no \"path\"");
            switch (kind)
            {
                case "add": Add(doc, path, Value(o)); break;
                case "remove": Remove(doc, path); break;
                case "replace": Remove(doc, path); Add(doc, path, Value(o)); break;
                case "move": { var from = From(o); var v = Get(doc, from); Remove(doc, from); Add(doc, path, v); break; }
                case "copy": Add(doc, path, Get(doc, From(o))?.DeepClone()); break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), o["value"]))
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    break;
                default: throw ApiException.BadRequest($"Unexpected kind: {kind}");
            }
        }
        return doc;
    }

    private static JsonNode? Value(JsonObject op) =>
        op.ContainsKey("value") ? op["value"]?.DeepClone() : throw ApiException.BadRequest("json patch operation has no \"value\"");

    private static string From(JsonObject op) => op["from"]?.ToString() ?? throw ApiException.BadRequest("json patch operation has no \"from\"");

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer.StartsWith('/')
            ? [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~"))]
            : throw ApiException.BadRequest($"invalid JSON pointer \"{pointer}\"");

    private static (JsonNode Parent, string Last) Parent(JsonObject doc, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0) throw ApiException.BadRequest("json patch cannot replace the whole object");
        JsonNode? node = doc;
        foreach (var token in tokens[..^1]) node = Child(node, token, pointer);
        return (node!, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode? node, string token, string pointer) => node switch
    {
        JsonObject o when o.ContainsKey(token) => o[token],
        JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
        _ => throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: doc is missing path: \"{pointer}\""),
    };

    private static JsonNode? Get(JsonObject doc, string pointer)
    {
        JsonNode? node = doc;
        foreach (var token in Tokens(pointer)) node = Child(node, token, pointer);
        return node;
    }

    private static void Add(JsonObject doc, string pointer, JsonNode? value)
    {
        var (parent, last) = Parent(doc, pointer);
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a when last == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count: a.Insert(i, value); break;
            default: throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: add operation does not apply: doc is missing path: \"{pointer}\"");
        }
    }

    private static void Remove(JsonObject doc, string pointer)
    {
        var (parent, last) = Parent(doc, pointer);
        var removed = parent switch
        {
            JsonObject o => o.Remove(last),
            JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count => RemoveAt(a, i),
            _ => false,
        };
        if (!removed)
            throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: \"{pointer}\"");
    }

    private static bool RemoveAt(JsonArray a, int i) { a.RemoveAt(i); return true; }
}
