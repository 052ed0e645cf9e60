using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>Validates an object against a CRD's structural schema (filled in below).</summary>
internal static partial class SchemaValidator
{
    public static IEnumerable<FieldCause> Validate(JsonObject schema, JsonObject obj) => [];
}
