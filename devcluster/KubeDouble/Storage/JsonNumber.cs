using System.Globalization;
using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Storage;

/// <summary>Reads numbers from JSON nodes whatever CLR type backs them (parsed text, int, long, double).</summary>
internal static class JsonNumber
{
    public static bool TryDouble(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static bool? Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    public static long? Long(JsonNode? node) =>
        TryDouble(node, out var d) && d == Math.Floor(d) ? (long)d : null;
}
