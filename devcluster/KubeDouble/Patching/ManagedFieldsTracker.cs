using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>Keeps metadata.managedFields up to date for writes that are not server-side apply (operation Update).</summary>
internal static class ManagedFieldsTracker
{
    /// <summary>Gives <paramref name="manager"/> the fields this write changed and takes them from every other manager.</summary>
    public static void RecordUpdate(ResourceType type, JsonObject? old, JsonObject updated, string manager, string? subresource)
    {
        var entries = ManagedFieldsEntry.ReadAll(old);
        var before = old is null ? new Dictionary<string, JsonNode?>() : FieldSet.Leaves(type, old);
        var after = FieldSet.Leaves(type, updated);
        var changed = after.Where(kv => !before.TryGetValue(kv.Key, out var v) || !JsonNode.DeepEquals(v, kv.Value))
            .Select(kv => kv.Key).ToHashSet();
        var removed = before.Keys.Where(k => !after.ContainsKey(k)).ToHashSet();
        foreach (var entry in entries)
        {
            entry.Fields.ExceptWith(changed);
            entry.Fields.ExceptWith(removed);
        }
        if (changed.Count > 0)
        {
            var mine = entries.FirstOrDefault(e => e.Is(manager, "Update", subresource));
            if (mine is null) entries.Add(mine = new ManagedFieldsEntry(manager, "Update", subresource, type.ApiVersion, []));
            mine.Fields.UnionWith(changed);
            mine.Time = ObjectMeta.Now();
            mine.ApiVersion = type.ApiVersion;
        }
        ManagedFieldsEntry.WriteAll(updated, entries);
    }
}
