using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>
/// Strategic merge patch for the built-in types: lists with a patch merge key (containers by name, ports by
/// containerPort, …) merge item by item; directives <c>$patch</c> (replace, delete, merge), <c>$retainKeys</c>,
/// <c>$setElementOrder/…</c> and <c>$deleteFromPrimitiveList/…</c> are honoured, as kubectl apply sends them.
/// </summary>
internal static class StrategicMergePatch
{
    public static JsonObject Apply(ResourceType type, JsonObject target, JsonNode? patch)
    {
        if (patch is not JsonObject p) throw ApiException.BadRequest("a strategic merge patch must be a JSON object");
        return MergeMap(type, (JsonObject)target.DeepClone(), p, []) ?? new JsonObject();
    }

    private static JsonObject? MergeMap(ResourceType type, JsonObject target, JsonObject patch, List<string> fields)
    {
        switch (patch["$patch"]?.ToString())
        {
            case "delete": return null;
            case "replace":
                var replaced = (JsonObject)patch.DeepClone();
                replaced.Remove("$patch");
                return replaced;
        }
        foreach (var (key, value) in patch)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith("$setElementOrder/")) continue;
            if (key.StartsWith("$deleteFromPrimitiveList/"))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (target[field] is JsonArray list && value is JsonArray remove)
                    target[field] = new JsonArray([.. list.Where(i => !remove.Any(r => JsonNode.DeepEquals(r, i))).Select(i => i?.DeepClone())]);
                continue;
            }
            List<string> path = [.. fields, key];
            if (value is null) { target.Remove(key); continue; }
            if (value is JsonObject childPatch)
            {
                var merged = MergeMap(type, target[key] as JsonObject ?? new JsonObject(), childPatch, path);
                if (merged is null) target.Remove(key); else target[key] = merged;
            }
            else if (value is JsonArray listPatch) target[key] = MergeList(type, target[key] as JsonArray, listPatch, path);
            else target[key] = value.DeepClone();
        }
        foreach (var (key, value) in patch.Where(kv => kv.Key.StartsWith("$setElementOrder/")).ToList())
        {
            var field = key["$setElementOrder/".Length..];
            if (target[field] is JsonArray list && value is JsonArray order)
                target[field] = Reorder(ListSemantics.For(type, [.. fields, field]), list, order);
        }
        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k!.ToString()).ToHashSet();
            foreach (var key in target.Select(kv => kv.Key).Where(k => !keep.Contains(k)).ToList()) target.Remove(key);
        }
        return target;
    }

    private static JsonArray MergeList(ResourceType type, JsonArray? target, JsonArray patch, List<string> fields)
    {
        var semantics = ListSemantics.For(type, fields);
        if (patch.Any(i => i is JsonObject o && o["$patch"]?.ToString() == "replace"))
            return new JsonArray([.. patch.Where(i => !(i is JsonObject o && o["$patch"]?.ToString() == "replace")).Select(i => i?.DeepClone())]);
        if (target is null || semantics.Kind == "atomic")
            return new JsonArray([.. patch.Where(i => !(i is JsonObject o && o.ContainsKey("$patch"))).Select(i => i?.DeepClone())]);
        var result = new JsonArray([.. target.Select(i => i?.DeepClone())]);
        if (semantics.IsSet)
        {
            foreach (var item in patch.Where(i => !result.Any(r => JsonNode.DeepEquals(r, i)))) result.Add(item?.DeepClone());
            return result;
        }
        var key = semantics.Keys[0];
        foreach (var item in patch.OfType<JsonObject>())
        {
            var existing = result.OfType<JsonObject>().FirstOrDefault(r => JsonNode.DeepEquals(r[key], item[key]));
            if (item["$patch"]?.ToString() == "delete") { if (existing is not null) result.Remove(existing); continue; }
            if (existing is null) { var added = (JsonObject)item.DeepClone(); added.Remove("$patch"); result.Add(added); continue; }
            var index = result.IndexOf(existing);
            result[index] = MergeMap(type, (JsonObject)existing.DeepClone(), item, fields);
        }
        return new JsonArray([.. result.Where(i => i is not null).Select(i => i!.DeepClone())]);
    }

    private static JsonArray Reorder(ListSemantics semantics, JsonArray list, JsonArray order)
    {
        if (semantics.Kind == "atomic") return list;
        var items = list.Select(i => i?.DeepClone()).ToList();
        string Key(JsonNode? n) => semantics.IsSet ? n?.ToJsonString() ?? "" : n?[semantics.Keys[0]]?.ToJsonString() ?? "";
        var rank = order.Select((o, i) => (Key: semantics.IsSet ? o?.ToJsonString() ?? "" : o?[semantics.Keys[0]]?.ToJsonString() ?? "", i))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.First().i);
        return new JsonArray([.. items.Select((item, i) => (item, i)).OrderBy(x => rank.GetValueOrDefault(Key(x.item), int.MaxValue)).ThenBy(x => x.i).Select(x => x.item)]);
    }
}
