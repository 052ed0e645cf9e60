using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Shows a stored object at the version a request asked for (CRD versions are served without conversion).</summary>
internal static class ObjectView
{
    public static JsonObject At(ResourceType type, JsonObject stored)
    {
        if (type.IsEventsV1) return Semantics.EventConversion.ToEventsV1(stored);
        var copy = (JsonObject)stored.DeepClone();
        copy["apiVersion"] = type.ApiVersion;
        copy["kind"] = type.Kind;
        return copy;
    }
}
