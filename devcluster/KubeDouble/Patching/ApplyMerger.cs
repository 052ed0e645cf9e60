using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>Merges an apply configuration into a live object: maps merge, keyed lists merge by key, the rest replaces.</summary>
internal static class ApplyMerger
{
    public static void Merge(ResourceType type, JsonObject live, JsonObject config, List<string> fields)
    {
        foreach (var (key, value) in config)
        {
            List<string> path = [.. fields, key];
            if (value is null) { live.Remove(key); continue; }
            if (value is JsonObject configObject && live[key] is JsonObject liveObject)
                Merge(type, liveObject, configObject, path);
            else if (value is JsonArray configArray && live[key] is JsonArray liveArray
                     && ListSemantics.For(type, path) is { Kind: not "atomic" } list)
                live[key] = MergeList(type, list, liveArray, configArray, path);
            else
                live[key] = value.DeepClone();
        }
    }

    private static JsonArray MergeList(ResourceType type, ListSemantics list, JsonArray live, JsonArray config, List<string> path)
    {
        var merged = new JsonArray();
        var liveByKey = live.ToDictionary(item => list.ItemKey(item), item => item);
        var configKeys = config.Select(list.ItemKey).ToHashSet();
        foreach (var item in config)
        {
            var key = list.ItemKey(item);
            if (list.IsMap && liveByKey.TryGetValue(key, out var existing) && existing is JsonObject existingObject && item is JsonObject itemObject)
            {
                var copy = (JsonObject)existingObject.DeepClone();
                Merge(type, copy, itemObject, path);
                merged.Add(copy);
            }
            else merged.Add(item?.DeepClone());
        }
        foreach (var item in live.Where(i => !configKeys.Contains(list.ItemKey(i)))) merged.Add(item?.DeepClone());
        return merged;
    }
}
