using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Semantics;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>Applies defaults and validates an object before it is stored; any problem becomes 422 Invalid with field causes.</summary>
internal sealed class ObjectValidator(ServiceIPAllocator serviceIPs)
{
    public void DefaultAndValidate(ResourceType type, JsonObject obj, JsonObject? old)
    {
        var causes = new List<FieldCause>();
        var name = ObjectMeta.Name(obj);
        var nameProblem = type.Plural is "namespaces" or "services" ? NameRules.LabelProblem(name) : NameRules.SubdomainProblem(name);
        if (old is null && nameProblem is not null) causes.Add(FieldCause.Invalid("metadata.name", $"Invalid value: \"{name}\": {nameProblem}"));
        ValidateMetadata(obj, causes);
        if (type.IsCustom && type.Schema is not null)
        {
            var unknown = SchemaPruner.Prune(type.Schema, obj);
            if (unknown.Count > 0 && FieldValidation.Mode == "Strict")
                throw new ApiException(400, "BadRequest", "strict decoding error: " + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")));
            if (FieldValidation.Mode != "Ignore")
                foreach (var field in unknown) FieldValidation.Warn($"unknown field \"{field}\"");
            SchemaDefaulter.Apply(type.Schema, obj);
            causes.AddRange(SchemaValidator.Validate(type.Schema, obj));
            if (causes.Count == 0) causes.AddRange(CelRules.Validate(type.Schema, obj, old));
        }
        else
        {
            BuiltInDefaulter.Apply(type, obj, old, serviceIPs);
            causes.AddRange(BuiltInValidator.Validate(type, obj, old));
        }
        if (type.Plural == "customresourcedefinitions") causes.AddRange(CrdDefinitionValidator.Validate(obj));
        if (causes.Count > 0) throw ApiException.Invalid(type.Kind, type.Group, name, causes);
    }

    private static void ValidateMetadata(JsonObject obj, List<FieldCause> causes)
    {
        foreach (var field in new[] { "labels", "annotations" })
            if (ObjectMeta.Of(obj)[field] is JsonObject map)
                foreach (var (key, value) in map)
                    if (value is not JsonValue v || !v.TryGetValue<string>(out _))
                        causes.Add(FieldCause.Invalid($"metadata.{field}", $"Invalid value: {value?.ToJsonString() ?? "null"}: {field} values must be strings (key \"{key}\")"));
        if (ObjectMeta.Of(obj)["labels"] is JsonObject labels)
            foreach (var (key, value) in labels)
                if (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 63)
                    causes.Add(FieldCause.Invalid("metadata.labels", $"Invalid value: \"{s}\": must be no more than 63 characters (key \"{key}\")"));
    }
}
