using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;

namespace ModelOperator.KubeDouble.Selectors;

/// <summary>Field selectors: <c>metadata.name</c> and <c>metadata.namespace</c> with <c>=</c>, <c>==</c> or <c>!=</c>; a few
/// per-kind fields (status.phase, spec.nodeName, involvedObject.*) as the real server supports them.</summary>
internal sealed class FieldSelector
{
    private static readonly HashSet<string> Supported =
        ["metadata.name", "metadata.namespace", "status.phase", "spec.nodeName", "involvedObject.name", "involvedObject.namespace",
            "involvedObject.kind", "involvedObject.uid", "type", "reason", "regarding.name", "regarding.kind", "spec.holderIdentity"];

    private readonly List<(string Field, string Value, bool Equal)> _requirements = [];

    public static readonly FieldSelector Everything = new();

    public static FieldSelector Parse(string text)
    {
        var selector = new FieldSelector();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ne = raw.IndexOf("!=", StringComparison.Ordinal);
            var eq = raw.IndexOf('=');
            if (ne < 0 && eq < 0) throw ApiException.BadRequest($"invalid selector: '{raw}'; can't understand '{raw}'");
            var (field, value, equal) = ne > 0 ? (raw[..ne], raw[(ne + 2)..], false) : (raw[..eq], raw[(eq + 1)..].TrimStart('='), true);
            if (!Supported.Contains(field.Trim()))
                throw ApiException.BadRequest($"field label not supported: {field.Trim()}");
            selector._requirements.Add((field.Trim(), value.Trim(), equal));
        }
        return selector;
    }

    public bool Matches(JsonObject obj) => _requirements.All(r => (Lookup(obj, r.Field) == r.Value) == r.Equal);

    private static string Lookup(JsonObject obj, string dotted)
    {
        JsonNode? node = obj;
        foreach (var part in dotted.Split('.')) node = (node as JsonObject)?[part];
        return node is JsonValue v ? v.ToString() : "";
    }
}
