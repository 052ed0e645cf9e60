using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Discovery;

/// <summary>
/// The meta.k8s.io/v1 Table format kubectl asks for (<c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>):
/// Name plus the resource's printer columns, each row carrying the object or its metadata as includeObject says.
/// </summary>
internal sealed class TableConverter
{
    public bool Wanted(HttpContext http) =>
        http.Request.Headers.Accept.ToString().Split(',').FirstOrDefault()?.Replace(" ", "") is { } first
        && first.Contains("as=Table") && first.Contains("g=meta.k8s.io");

    public JsonObject ToTable(ResourceType type, IEnumerable<JsonObject> objects, string? resourceVersion, HttpContext http, bool forWatch = false)
    {
        var include = http.Request.Query["includeObject"].ToString() is { Length: > 0 } i ? i : "Metadata";
        var columns = new JsonArray((JsonNode)Column("Name", "string", "name", "Name must be unique within a namespace.", 0));
        foreach (var c in type.PrinterColumns) columns.Add(Column(c.Name, c.Type, c.Format ?? "", c.Description, c.Priority));
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray((JsonNode)JsonValue.Create(ObjectMeta.Name(obj)));
            foreach (var c in type.PrinterColumns) cells.Add(Cell(type, obj, c));
            var row = new JsonObject { ["cells"] = cells };
            row["object"] = include switch
            {
                "None" => null,
                "Object" => obj.DeepClone(),
                _ => new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = ObjectMeta.Of(obj).DeepClone(),
                },
            };
            rows.Add(row);
        }
        var table = new JsonObject
        {
            ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion ?? "" },
            ["columnDefinitions"] = columns, ["rows"] = rows,
        };
        return table;
    }

    private static JsonObject Column(string name, string type, string format, string description, int priority) => new()
    {
        ["name"] = name, ["type"] = type, ["format"] = format, ["description"] = description, ["priority"] = priority,
    };

    private static JsonNode? Cell(ResourceType type, JsonObject obj, PrinterColumn column)
    {
        if (!type.IsCustom && BuiltInCell(type, obj, column) is { } computed) return computed;
        var values = SimpleJsonPath.Evaluate(obj, column.JsonPath);
        if (values.Count == 0) return null;
        if (column.Type == "date" && values[0]?.ToString() is { } text && DateTime.TryParse(text, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var when))
            return Age(DateTime.UtcNow - when);
        if (values.Count > 1) return string.Join(",", values.Select(v => v?.ToString()));
        return values[0]?.DeepClone();
    }

    /// <summary>The cells kubectl's built-in printers compute rather than read: READY as ready/desired.</summary>
    private static JsonNode? BuiltInCell(ResourceType type, JsonObject obj, PrinterColumn column) => (type.Kind, column.Name) switch
    {
        ("Deployment", "Ready") => $"{JsonNumber.Long(obj["status"]?["readyReplicas"]) ?? 0}/{JsonNumber.Long(obj["spec"]?["replicas"]) ?? 1}",
        ("Deployment", "Up-to-date") => JsonNumber.Long(obj["status"]?["updatedReplicas"]) ?? 0,
        ("Deployment", "Available") => JsonNumber.Long(obj["status"]?["availableReplicas"]) ?? 0,
        ("ReplicaSet", "Current") => JsonNumber.Long(obj["status"]?["replicas"]) ?? 0,
        ("ReplicaSet", "Ready") => JsonNumber.Long(obj["status"]?["readyReplicas"]) ?? 0,
        ("Pod", "Ready") => $"{(obj["status"]?["containerStatuses"] as JsonArray ?? []).Count(c => JsonNumber.Bool(c?["ready"]) == true)}/{(obj["spec"]?["containers"] as JsonArray ?? []).Count}",
        ("Pod", "Restarts") => (obj["status"]?["containerStatuses"] as JsonArray ?? []).Sum(c => JsonNumber.Long(c?["restartCount"]) ?? 0),
        ("Node", "Status") => NodeStatus(obj),
        ("Node", "Roles") => "<none>",
        ("Node", "External-IP") => SimpleJsonPath.Evaluate(obj, column.JsonPath).FirstOrDefault()?.ToString() ?? "<none>",
        ("ConfigMap", "Data") => (obj["data"] as JsonObject ?? []).Count + (obj["binaryData"] as JsonObject ?? []).Count,
        _ => null,
    };

    /// <summary>kubectl's node STATUS: Ready, NotReady or Unknown, with SchedulingDisabled for a cordoned node.</summary>
    private static string NodeStatus(JsonObject node)
    {
        var ready = SimpleJsonPath.Evaluate(node, ".status.conditions[?(@.type==\"Ready\")].status").FirstOrDefault()?.ToString();
        var status = ready switch { "True" => "Ready", "False" => "NotReady", _ => "Unknown" };
        return JsonNumber.Bool(node["spec"]?["unschedulable"]) == true ? status + ",SchedulingDisabled" : status;
    }

    /// <summary>kubectl's human duration: 5s, 3m, 2m5s, 4h, 3d.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        if (age.TotalSeconds < 120) return $"{(int)age.TotalSeconds}s";
        if (age.TotalMinutes < 10) return age.Seconds == 0 ? $"{(int)age.TotalMinutes}m" : $"{(int)age.TotalMinutes}m{age.Seconds}s";
        if (age.TotalHours < 3) return $"{(int)age.TotalMinutes}m";
        if (age.TotalHours < 48) return $"{(int)age.TotalHours}h";
        return $"{(int)age.TotalDays}d";
    }
}
