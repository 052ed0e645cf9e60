using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Semantics;

/// <summary>
/// core/v1 Event and events.k8s.io/v1 Event are one stored resource in two shapes, as in the real API server:
/// objects are stored in the core shape and converted field by field when read or written through events.k8s.io.
/// </summary>
internal static class EventConversion
{
    // (core field, events.k8s.io field)
    private static readonly (string Core, string Events)[] Renamed =
    [
        ("involvedObject", "regarding"), ("message", "note"), ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"), ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
    ];

    public static JsonObject ToEventsV1(JsonObject core)
    {
        var copy = (JsonObject)core.DeepClone();
        foreach (var (from, to) in Renamed) Move(copy, from, to);
        copy["apiVersion"] = "events.k8s.io/v1";
        copy["kind"] = "Event";
        return copy;
    }

    public static JsonObject ToCore(JsonObject events)
    {
        var copy = (JsonObject)events.DeepClone();
        foreach (var (to, from) in Renamed) Move(copy, from, to);
        copy["apiVersion"] = "v1";
        copy["kind"] = "Event";
        return copy;
    }

    /// <summary>The stored (core) name of a field an events.k8s.io field selector names.</summary>
    public static string CoreFieldName(string eventsField)
    {
        foreach (var (core, events) in Renamed)
            if (eventsField == events || eventsField.StartsWith(events + ".")) return core + eventsField[events.Length..];
        return eventsField;
    }

    private static void Move(JsonObject obj, string from, string to)
    {
        if (!obj.ContainsKey(from)) return;
        var value = obj[from]?.DeepClone();
        obj.Remove(from);
        obj[to] = value;
    }
}
