using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// Decides whether an object already carries every field the operator would apply. Fields others added (labels,
/// annotations, server defaults) are ignored, so GitOps tools and the API server never cause a write.
/// </summary>
public static class JsonContainment
{
    /// <summary>True when every field of <paramref name="desired"/> has the same value in <paramref name="actual"/>.</summary>
    public static bool IsContainedIn<T>(T desired, object? actual) =>
        actual is not null && Contains(ToNode(desired), ToNode(actual));

    // Built as trees directly (no string in between): this runs for both children on every reconcile.
    private static JsonNode? ToNode(object? value) =>
        value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), KubernetesJsonOptions.Instance);

    private static bool Contains(JsonNode? want, JsonNode? have) => want switch
    {
        null => true,
        JsonObject o => have is JsonObject h && o.All(kv => kv.Value is null || (h.TryGetPropertyValue(kv.Key, out var v) && Contains(kv.Value, v))),
        // Lists of scalars (args) are atomic; lists of objects (containers, ports, owner references) may hold
        // entries others merged in, so each wanted entry must appear somewhere.
        JsonArray a when a.All(x => x is JsonValue) => have is JsonArray h && h.Count == a.Count && a.Zip(h).All(p => Contains(p.First, p.Second)),
        JsonArray a => have is JsonArray h && a.All(w => h.Any(x => Contains(w, x))),
        JsonValue v => have is JsonValue hv && ScalarEquals(v, hv),
        _ => false,
    };

    private static bool ScalarEquals(JsonValue a, JsonValue b)
    {
        if (a.TryGetValue<double>(out var x) && b.TryGetValue<double>(out var y)) return x == y;
        return a.ToJsonString() == b.ToJsonString();
    }
}
