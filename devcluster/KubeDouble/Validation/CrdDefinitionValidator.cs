using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>Checks a CustomResourceDefinition itself: its name, names, scope and versions.</summary>
internal static class CrdDefinitionValidator
{
    public static IEnumerable<FieldCause> Validate(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var group = spec?["group"]?.ToString();
        var plural = spec?["names"]?["plural"]?.ToString();
        if (string.IsNullOrEmpty(group)) yield return FieldCause.Required("spec.group");
        if (string.IsNullOrEmpty(plural)) yield return FieldCause.Required("spec.names.plural");
        if (string.IsNullOrEmpty(spec?["names"]?["kind"]?.ToString())) yield return FieldCause.Required("spec.names.kind");
        var name = crd["metadata"]?["name"]?.ToString();
        if (group is not null && plural is not null && name != $"{plural}.{group}")
            yield return FieldCause.Invalid("metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group");
        if (spec?["scope"]?.ToString() is not ("Namespaced" or "Cluster"))
            yield return FieldCause.Invalid("spec.scope", $"Unsupported value: \"{spec?["scope"]}\": supported values: \"Cluster\", \"Namespaced\"");
        if (spec?["versions"] is not JsonArray { Count: > 0 } versions) { yield return FieldCause.Required("spec.versions"); yield break; }
        if (versions.Count(v => JsonNumber.Bool(v?["storage"]) == true) != 1)
            yield return FieldCause.Invalid("spec.versions", "Invalid value: must have exactly one version marked as storage version");
        for (var i = 0; i < versions.Count; i++)
            if (versions[i]?["schema"]?["openAPIV3Schema"] is null)
                yield return FieldCause.Required($"spec.versions[{i}].schema.openAPIV3Schema");
    }
}
