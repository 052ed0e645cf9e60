using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Validation.Cel;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>
/// Evaluates a CRD schema's <c>x-kubernetes-validations</c> rules on the values they sit on (<c>self</c>, and
/// <c>oldSelf</c> on updates for transition rules). Rules outside the supported CEL subset are skipped.
/// </summary>
internal static class CelRules
{
    public static IEnumerable<FieldCause> Validate(JsonObject schema, JsonObject obj, JsonObject? old)
    {
        var causes = new List<FieldCause>();
        if (schema["x-kubernetes-validations"] is JsonArray rootRules)
        {
            // Rules on the root see metadata.name and generateName only, as the API server's do.
            var metadata = obj["metadata"] as JsonObject;
            var root = new JsonObject { ["metadata"] = new JsonObject() };
            foreach (var key in new[] { "name", "generateName" })
                if (metadata?[key] is { } v) ((JsonObject)root["metadata"]!)[key] = v.DeepClone();
            foreach (var (name, value) in obj)
                if (name is not "metadata") root[name] = value?.DeepClone();
            foreach (var rule in rootRules.OfType<JsonObject>()) Check(rule, root, old, "", causes);
        }
        foreach (var (name, value) in obj)
        {
            if (name is "apiVersion" or "kind" or "metadata") continue;
            if ((schema["properties"] as JsonObject)?[name] is JsonObject property) Walk(property, value, old?[name], name, causes);
        }
        return causes;
    }

    private static void Walk(JsonObject schema, JsonNode? value, JsonNode? old, string path, List<FieldCause> causes)
    {
        if (value is null) return;
        if (schema["x-kubernetes-validations"] is JsonArray rules)
            foreach (var rule in rules.OfType<JsonObject>()) Check(rule, value, old, path, causes);
        switch (value)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    var childSchema = (schema["properties"] as JsonObject)?[name] as JsonObject ?? schema["additionalProperties"] as JsonObject;
                    if (childSchema is not null) Walk(childSchema, child, (old as JsonObject)?[name], $"{path}.{name}", causes);
                }
                break;
            case JsonArray a when schema["items"] is JsonObject items:
                for (var i = 0; i < a.Count; i++) Walk(items, a[i], null, $"{path}[{i}]", causes);
                break;
        }
    }

    private static void Check(JsonObject rule, JsonNode value, JsonNode? old, string path, List<FieldCause> causes)
    {
        var expression = rule["rule"]?.ToString();
        if (string.IsNullOrEmpty(expression)) return;
        var transition = expression.Contains("oldSelf");
        if (transition && old is null) return;
        var field = rule["fieldPath"]?.ToString() is { Length: > 0 } fieldPath ? path + fieldPath : path;
        var shown = value is JsonObject ? "\"object\"" : value is JsonArray ? "\"array\"" : value.ToJsonString();
        try
        {
            var compiled = CelCompiler.Compile(expression);
            var scope = new Dictionary<string, object?> { ["self"] = CelValue.From(value) };
            if (transition) scope["oldSelf"] = CelValue.From(old);
            if (compiled(scope) is true) return;
            var message = rule["message"]?.ToString() is { Length: > 0 } m ? m : $"failed rule: {expression}";
            causes.Add(new FieldCause(rule["reason"]?.ToString() ?? "FieldValueInvalid", field, $"Invalid value: {shown}: {message}"));
        }
        catch (CelException e)
        {
            causes.Add(new FieldCause("FieldValueInvalid", field, $"Invalid value: {shown}: rule evaluation error: {e.Message}"));
        }
        catch (CelUnsupportedException)
        {
            // Outside the subset the double evaluates: the real server would judge it; the double stays silent.
        }
    }
}
