using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Validation.Cel;

/// <summary>CEL values as CLR values: long, double, string, bool, null, lists and string-keyed maps.</summary>
internal static class CelValue
{
    public static object? From(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => From(kv.Value)),
        JsonArray a => a.Select(From).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.ToString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            JsonValueKind.Number => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };

    public static bool Truthy(object? value) => value is bool b ? b : throw new CelException($"expected a bool, got {Describe(value)}");

    public static new bool Equals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Equals(p.First, p.Second)),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && Equals(kv.Value, v)),
        _ => object.Equals(a, b),
    };

    public static int Compare(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long x, double y) => ((double)x).CompareTo(y),
        (double x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => throw new CelException($"no such overload: {Describe(a)} < {Describe(b)}"),
    };

    public static string Describe(object? value) => value switch
    {
        null => "null", long => "int", double => "double", string => "string", bool => "bool",
        List<object?> => "list", Dictionary<string, object?> => "map", _ => value.GetType().Name,
    };
}

/// <summary>A CEL evaluation error (as the API server reports it).</summary>
internal sealed class CelException(string message) : Exception(message);

/// <summary>An expression outside the CEL subset the double evaluates; such rules are skipped, not failed.</summary>
internal sealed class CelUnsupportedException(string message) : Exception(message);
