using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Selectors;

/// <summary>What a list or watch selects: a namespace (or all), a label selector and a field selector.</summary>
internal sealed record ObjectFilter(string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public bool Matches(JsonObject? obj) =>
        obj is not null
        && (Namespace is null || ObjectMeta.Namespace(obj) == Namespace)
        && Labels.Matches(ObjectMeta.Labels(obj))
        && Fields.Matches(obj);
}
