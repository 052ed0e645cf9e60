using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>
/// Validates a custom resource against its CRD's structural schema as the API server does: type, required, enum,
/// minimum/maximum (and exclusive), multipleOf, minLength/maxLength, pattern, minItems/maxItems, uniqueItems,
/// minProperties/maxProperties, nullable, x-kubernetes-int-or-string and x-kubernetes-list-type map/set uniqueness.
/// Messages follow the API server's wording so clients see what they would see on a real cluster.
/// </summary>
internal static class SchemaValidator
{
    public static IEnumerable<FieldCause> Validate(JsonObject schema, JsonObject obj)
    {
        var causes = new List<FieldCause>();
        foreach (var (name, value) in obj)
        {
            if (name is "apiVersion" or "kind" or "metadata") continue;
            if ((schema["properties"] as JsonObject)?[name] is JsonObject property) Check(property, value, name, causes);
        }
        if (schema["required"] is JsonArray required)
            foreach (var field in required.Select(r => r!.ToString()).Where(f => f is not ("apiVersion" or "kind" or "metadata")))
                if (obj[field] is null) causes.Add(FieldCause.Required(field));
        return causes;
    }

    private static void Check(JsonObject schema, JsonNode? value, string path, List<FieldCause> causes)
    {
        if (value is null)
        {
            if (JsonNumber.Bool(schema["nullable"]) != true)
                causes.Add(new FieldCause("FieldValueTypeInvalid", path, $"Invalid value: \"null\": {path} in body must be of type {schema["type"] ?? "object"}: \"null\""));
            return;
        }
        var type = schema["type"]?.ToString();
        var actual = TypeOf(value);
        if (JsonNumber.Bool(schema["x-kubernetes-int-or-string"]) == true)
        {
            if (actual is not ("integer" or "string"))
                causes.Add(new FieldCause("FieldValueTypeInvalid", path, $"Invalid value: \"{actual}\": {path} in body must be of type integer or string: \"{actual}\""));
            return;
        }
        if (type is not null && type != actual && !(type == "number" && actual == "integer"))
        {
            causes.Add(new FieldCause("FieldValueTypeInvalid", path, $"Invalid value: \"{actual}\": {path} in body must be of type {type}: \"{actual}\""));
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            causes.Add(new FieldCause("FieldValueNotSupported", path,
                $"Unsupported value: {value.ToJsonString()}: supported values: {string.Join(", ", allowed.Select(a => a?.ToJsonString()))}"));
        switch (value)
        {
            case JsonObject o: CheckObject(schema, o, path, causes); break;
            case JsonArray a: CheckArray(schema, a, path, causes); break;
            case JsonValue v when actual == "string": CheckString(schema, v.ToString(), path, causes); break;
            case JsonValue v when actual is "integer" or "number": CheckNumber(schema, v, path, causes); break;
        }
    }

    private static void CheckObject(JsonObject schema, JsonObject o, string path, List<FieldCause> causes)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var (name, child) in o)
        {
            var childPath = $"{path}.{name}";
            if (properties?[name] is JsonObject property) Check(property, child, childPath, causes);
            else if (schema["additionalProperties"] is JsonObject additional) Check(additional, child, childPath, causes);
        }
        if (schema["required"] is JsonArray required)
            foreach (var field in required.Select(r => r!.ToString()))
                if (o[field] is null) causes.Add(FieldCause.Required($"{path}.{field}"));
        if (JsonNumber.Long(schema["minProperties"]) is { } minProps && o.Count < minProps)
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: {o.Count}: {path} in body should have at least {minProps} properties"));
        if (JsonNumber.Long(schema["maxProperties"]) is { } maxProps && o.Count > maxProps)
            causes.Add(new FieldCause("FieldValueTooMany", path, $"Too many: {o.Count}: must have at most {maxProps} items"));
    }

    private static void CheckArray(JsonObject schema, JsonArray a, string path, List<FieldCause> causes)
    {
        if (schema["items"] is JsonObject items)
            for (var i = 0; i < a.Count; i++) Check(items, a[i], $"{path}[{i}]", causes);
        if (JsonNumber.Long(schema["minItems"]) is { } min && a.Count < min)
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: {a.Count}: {path} in body should have at least {min} items"));
        if (JsonNumber.Long(schema["maxItems"]) is { } max && a.Count > max)
            causes.Add(new FieldCause("FieldValueTooMany", path, $"Too many: {a.Count}: must have at most {max} items"));
        var listType = schema["x-kubernetes-list-type"]?.ToString();
        if (JsonNumber.Bool(schema["uniqueItems"]) == true || listType == "set")
            for (var i = 0; i < a.Count; i++)
                if (a.Take(i).Any(earlier => JsonNode.DeepEquals(earlier, a[i])))
                    causes.Add(new FieldCause("FieldValueDuplicate", $"{path}[{i}]", $"Duplicate value: {a[i]?.ToJsonString()}"));
        if (listType == "map" && schema["x-kubernetes-list-map-keys"] is JsonArray keys)
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < a.Count; i++)
            {
                var key = string.Join("|", keys.Select(k => a[i]?[k!.ToString()]?.ToJsonString() ?? "null"));
                if (!seen.Add(key))
                    causes.Add(new FieldCause("FieldValueDuplicate", $"{path}[{i}]", $"Duplicate value: {{{string.Join(", ", keys.Select(k => $"\"{k}\":{a[i]?[k!.ToString()]?.ToJsonString()}"))}}}"));
            }
        }
    }

    private static void CheckString(JsonObject schema, string s, string path, List<FieldCause> causes)
    {
        if (JsonNumber.Long(schema["minLength"]) is { } min && s.Length < min)
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: \"{s}\": {path} in body should be at least {min} chars long"));
        if (JsonNumber.Long(schema["maxLength"]) is { } max && s.Length > max)
            causes.Add(new FieldCause("FieldValueTooLong", path, $"Too long: may not be more than {max} bytes"));
        if (schema["pattern"]?.ToString() is { } pattern && !Regex.IsMatch(s, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: \"{s}\": {path} in body should match '{pattern}'"));
        if (schema["format"]?.ToString() == "date-time" && !DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: \"{s}\": {path} in body must be of type date-time: \"{s}\""));
    }

    private static void CheckNumber(JsonObject schema, JsonValue v, string path, List<FieldCause> causes)
    {
        if (!JsonNumber.TryDouble(v, out var n)) return;
        var text = v.ToJsonString();
        var exclusiveMin = JsonNumber.Bool(schema["exclusiveMinimum"]) == true;
        var exclusiveMax = JsonNumber.Bool(schema["exclusiveMaximum"]) == true;
        if (JsonNumber.TryDouble(schema["minimum"], out var min) && (exclusiveMin ? n <= min : n < min))
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: {text}: {path} in body should be greater than {(exclusiveMin ? "" : "or equal to ")}{schema["minimum"]!.ToJsonString()}"));
        if (JsonNumber.TryDouble(schema["maximum"], out var max) && (exclusiveMax ? n >= max : n > max))
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: {text}: {path} in body should be less than {(exclusiveMax ? "" : "or equal to ")}{schema["maximum"]!.ToJsonString()}"));
        if (JsonNumber.TryDouble(schema["multipleOf"], out var factor) && factor > 0 && Math.Abs(n / factor - Math.Round(n / factor)) > 1e-9)
            causes.Add(new FieldCause("FieldValueInvalid", path, $"Invalid value: {text}: {path} in body should be a multiple of {schema["multipleOf"]!.ToJsonString()}"));
    }

    private static string TypeOf(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => JsonNumber.TryDouble(value, out var d) && d == Math.Floor(d) && !value.ToJsonString().Contains('.') ? "integer" : "number",
        _ => "null",
    };
}
