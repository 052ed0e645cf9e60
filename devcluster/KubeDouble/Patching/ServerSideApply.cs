using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>
/// Server-side apply: merges an apply configuration into the live object under a field manager, refuses to change
/// fields another manager owns (409 with one cause per field) unless forced, and removes fields this manager
/// applied before but no longer applies (when no one else owns them).
/// </summary>
internal static class ServerSideApply
{
    public static JsonObject Apply(ResourceType type, JsonObject? live, JsonObject config, string manager, bool force, string? subresource)
    {
        var entries = ManagedFieldsEntry.ReadAll(live);
        var configLeaves = FieldSet.Leaves(type, config);
        var liveLeaves = live is null ? new Dictionary<string, JsonNode?>() : FieldSet.Leaves(type, live);
        var others = entries.Where(e => !e.Is(manager, "Apply", subresource)).ToList();

        var conflicts = new List<(string Path, ManagedFieldsEntry Owner)>();
        foreach (var (path, value) in configLeaves)
        {
            if (liveLeaves.TryGetValue(path, out var current) && JsonNode.DeepEquals(current, value)) continue;
            foreach (var owner in others.Where(e => e.Fields.Contains(path) || e.Fields.Any(f => f.StartsWith(path + FieldSet.Separator))))
                conflicts.Add((path, owner));
        }
        if (conflicts.Count > 0 && !force) throw ConflictError(type, config, conflicts);
        foreach (var (path, owner) in conflicts)
            owner.Fields.RemoveWhere(f => f == path || f.StartsWith(path + FieldSet.Separator));

        var merged = live is null ? new JsonObject() : (JsonObject)live.DeepClone();
        var mine = entries.FirstOrDefault(e => e.Is(manager, "Apply", subresource));
        if (mine is not null)
        {
            var ownedByOthers = others.SelectMany(e => e.Fields).ToHashSet();
            foreach (var dropped in mine.Fields.Where(f => !configLeaves.ContainsKey(f) && !ownedByOthers.Contains(f))
                         .OrderByDescending(f => f.Length))
                FieldPathEditor.Remove(type, merged, dropped);
        }
        ApplyMerger.Merge(type, merged, config, []);

        if (mine is null) entries.Add(mine = new ManagedFieldsEntry(manager, "Apply", subresource, type.ApiVersion, []));
        mine.Fields.Clear();
        mine.Fields.UnionWith(configLeaves.Keys);
        mine.Time = ObjectMeta.Now();
        mine.ApiVersion = type.ApiVersion;
        ManagedFieldsEntry.WriteAll(merged, entries);
        return merged;
    }

    private static ApiException ConflictError(ResourceType type, JsonObject config, List<(string Path, ManagedFieldsEntry Owner)> conflicts)
    {
        var causes = conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = $"conflict with \"{c.Owner.Manager}\"{(c.Owner.Operation == "Update" ? "" : "")} using {c.Owner.ApiVersion}",
            ["field"] = FieldSet.Describe(c.Path),
        }).ToList();
        var lines = conflicts.Select(c => $"conflict with \"{c.Owner.Manager}\" using {c.Owner.ApiVersion}: {FieldSet.Describe(c.Path)}");
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: {lines.First()}"
            : $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        var details = new JsonObject
        {
            ["name"] = ObjectMeta.Name(config), ["kind"] = type.Plural, ["causes"] = new JsonArray([.. causes]),
        };
        if (type.Group.Length > 0) details["group"] = type.Group;
        return new ApiException(409, "Conflict", message, details);
    }
}
