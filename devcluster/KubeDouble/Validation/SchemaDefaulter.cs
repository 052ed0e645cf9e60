using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>Applies the <c>default</c> values of a structural schema to an object, as the API server does on create and update.</summary>
internal static class SchemaDefaulter
{
    public static void Apply(JsonObject schema, JsonObject obj) => Walk(schema, obj);

    private static void Walk(JsonObject schema, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (schema["properties"] is JsonObject properties)
                    foreach (var (name, propertySchema) in properties)
                    {
                        if (propertySchema is not JsonObject ps) continue;
                        if (!o.ContainsKey(name) && ps["default"] is { } d) o[name] = d.DeepClone();
                        if (o[name] is { } child) Walk(ps, child);
                    }
                if (schema["additionalProperties"] is JsonObject additional)
                    foreach (var (_, child) in o.ToList()) Walk(additional, child);
                break;
            case JsonArray a when schema["items"] is JsonObject items:
                foreach (var item in a) Walk(items, item);
                break;
        }
    }
}
