using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>One metadata.managedFields entry: which fields one manager owns through one kind of operation.</summary>
internal sealed class ManagedFieldsEntry(string manager, string operation, string? subresource, string apiVersion, HashSet<string> fields)
{
    public string Manager => manager;
    public string Operation => operation;
    public string? Subresource => subresource;
    public string ApiVersion { get; set; } = apiVersion;
    public HashSet<string> Fields => fields;
    public string Time { get; set; } = ObjectMeta.Now();

    public bool Is(string m, string op, string? sub) => manager == m && operation == op && subresource == sub;

    public static List<ManagedFieldsEntry> ReadAll(JsonObject? obj) =>
        obj is null || ObjectMeta.Of(obj)["managedFields"] is not JsonArray entries ? [] :
        [.. entries.OfType<JsonObject>().Select(e => new ManagedFieldsEntry(
            e["manager"]?.ToString() ?? "", e["operation"]?.ToString() ?? "Update", e["subresource"]?.ToString(),
            e["apiVersion"]?.ToString() ?? "", FieldSet.Decode(e["fieldsV1"] as JsonObject)) { Time = e["time"]?.ToString() ?? ObjectMeta.Now() })];

    public static void WriteAll(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var kept = entries.Where(e => e.Fields.Count > 0).ToList();
        if (kept.Count == 0) { ObjectMeta.Of(obj).Remove("managedFields"); return; }
        ObjectMeta.Of(obj)["managedFields"] = new JsonArray([.. kept.Select(e =>
        {
            var json = new JsonObject
            {
                ["manager"] = e.Manager, ["operation"] = e.Operation, ["apiVersion"] = e.ApiVersion, ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1", ["fieldsV1"] = FieldSet.Encode(e.Fields),
            };
            if (e.Subresource is not null) json["subresource"] = e.Subresource;
            return (JsonNode)json;
        })]);
    }
}
