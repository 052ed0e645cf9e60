using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Http;

/// <summary>A request the API refuses; becomes a Kubernetes Status body with this code and reason.</summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code => code;
    public string Reason => reason;
    public JsonObject? Details => details;

    public JsonObject ToStatus() => StatusBody.Failure(code, reason, Message, details);

    public static ApiException NotFound(string groupResource, string name) =>
        new(404, "NotFound", $"{groupResource} \"{name}\" not found", Describe(groupResource, name));

    public static ApiException AlreadyExists(string groupResource, string name) =>
        new(409, "AlreadyExists", $"{groupResource} \"{name}\" already exists", Describe(groupResource, name));

    public static ApiException Conflict(string groupResource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {groupResource} \"{name}\": {why}", Describe(groupResource, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException Invalid(string kind, string group, string name, IReadOnlyList<FieldCause> causes)
    {
        var details = Describe(group, name, kind);
        details["causes"] = new JsonArray([.. causes.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field,
        })]);
        var list = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        return new(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {(causes.Count == 1 ? list : $"[{list}]")}", details);
    }

    private static JsonObject Describe(string groupResource, string name, string? kind = null)
    {
        var dot = groupResource.IndexOf('.');
        var details = new JsonObject { ["name"] = name };
        if (kind is null)
        {
            if (dot > 0) details["group"] = groupResource[(dot + 1)..];
            details["kind"] = dot > 0 ? groupResource[..dot] : groupResource;
        }
        else
        {
            if (groupResource.Length > 0) details["group"] = groupResource;
            details["kind"] = kind;
        }
        return details;
    }
}

/// <summary>One field-level cause of a 422 Invalid answer, as metav1.StatusCause.</summary>
internal sealed record FieldCause(string Reason, string Field, string Message)
{
    public static FieldCause Required(string field) => new("FieldValueRequired", field, "Required value");
    public static FieldCause Invalid(string field, string message) => new("FieldValueInvalid", field, message);
    public static FieldCause Forbidden(string field, string message) => new("FieldValueForbidden", field, message);
}
