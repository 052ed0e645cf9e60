using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Crd;

/// <summary>Turns the annotated API types into a structural OpenAPI v3 schema (ordered maps, ready for YAML).</summary>
internal static class SchemaBuilder
{
    // Descriptions: a [Description] attribute where one is given, else the XML doc summary of the property, else of its type.
    private static readonly Lazy<XmlDocumentation> Docs = new(() => XmlDocumentation.For(typeof(ModelDeployment).Assembly));

    public static Dictionary<string, object> ForType(Type type)
    {
        var schema = new Dictionary<string, object> { ["type"] = "object" };
        if ((type.GetCustomAttribute<DescriptionAttribute>()?.Text ?? Docs.Value.Of(type)) is { } d) schema["description"] = d;
        var properties = new Dictionary<string, object>();
        var required = new List<string>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            // Object metadata is described by the API server itself, not by the CRD.
            if (name is null || p.PropertyType == typeof(k8s.Models.V1ObjectMeta)) continue;
            properties[name] = ForProperty(p);
            if (p.GetCustomAttribute<RequiredFieldAttribute>() is not null) required.Add(name);
        }
        schema["properties"] = properties;
        if (required.Count > 0) schema["required"] = required;
        var rules = type.GetCustomAttributes<CelRuleAttribute>()
            .Select(r =>
            {
                var rule = new Dictionary<string, object> { ["rule"] = r.Rule, ["message"] = r.Message };
                if (r.FieldPath is { } fieldPath) rule["fieldPath"] = fieldPath;
                return (object)rule;
            })
            .ToList();
        if (rules.Count > 0) schema["x-kubernetes-validations"] = rules;
        return schema;
    }

    private static Dictionary<string, object> ForProperty(PropertyInfo p)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        Dictionary<string, object> schema;
        if (p.GetCustomAttribute<EmbeddedKubernetesTypeAttribute>() is not null)
            schema = IsList(type) ? new() { ["type"] = "array", ["items"] = Opaque() } : Opaque();
        else if (IsList(type))
        {
            schema = new() { ["type"] = "array", ["items"] = ForValue(type.GetGenericArguments()[0], p) };
            if (p.GetCustomAttribute<MinItemsAttribute>() is { } mi) schema["minItems"] = mi.Value;
            if (p.GetCustomAttribute<MaxItemsAttribute>() is { } ma) schema["maxItems"] = ma.Value;
        }
        else schema = ForValue(type, p);

        if ((p.GetCustomAttribute<DescriptionAttribute>()?.Text ?? Docs.Value.Of(p)) is { } d) schema["description"] = d;
        if (p.GetCustomAttribute<DefaultValueAttribute>() is { } def) schema["default"] = def.Value;
        return schema;
    }

    // Scalar constraints apply to the value itself, or to each item of a list of scalars.
    private static Dictionary<string, object> ForValue(Type type, PropertyInfo p)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        Dictionary<string, object> schema;
        if (type == typeof(string)) schema = new() { ["type"] = "string" };
        else if (type == typeof(int)) schema = new() { ["type"] = "integer", ["format"] = "int32" };
        else if (type == typeof(long)) schema = new() { ["type"] = "integer", ["format"] = "int64" };
        else if (type == typeof(double)) schema = new() { ["type"] = "number" };
        else if (type == typeof(bool)) schema = new() { ["type"] = "boolean" };
        else if (type == typeof(DateTime)) schema = new() { ["type"] = "string", ["format"] = "date-time" };
        else if (type == typeof(Dictionary<string, string>))
            return new() { ["type"] = "object", ["additionalProperties"] = new Dictionary<string, object> { ["type"] = "string" } };
        else if (type == typeof(Dictionary<string, List<long>>))
            return new() { ["type"] = "object", ["additionalProperties"] = new Dictionary<string, object>
            {
                ["type"] = "array", ["items"] = new Dictionary<string, object> { ["type"] = "integer", ["format"] = "int64" },
            } };
        else if (type.IsClass) return ForType(type);
        else throw new NotSupportedException($"No schema mapping for {type.Name} ({p.DeclaringType?.Name}.{p.Name})");

        if (p.GetCustomAttribute<EnumValuesAttribute>() is { } e) schema["enum"] = e.Values.ToList();
        if (p.GetCustomAttribute<PatternAttribute>() is { } pat) schema["pattern"] = pat.Regex;
        if (p.GetCustomAttribute<MinimumAttribute>() is { } min) schema["minimum"] = Number(min.Value);
        if (p.GetCustomAttribute<MaximumAttribute>() is { } max) schema["maximum"] = Number(max.Value);
        return schema;
    }

    private static object Number(double v) => v == Math.Floor(v) ? (long)v : v;

    private static bool IsList(Type t) => t.IsGenericType && typeof(IList).IsAssignableFrom(t);

    private static Dictionary<string, object> Opaque() =>
        new() { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
}
