using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Watch;

/// <summary>One committed change, as kept in the history that watches resume from.</summary>
/// <param name="Previous">The object before the change (null for ADDED), so selector watches can see transitions.</param>
internal sealed record WatchEvent(long Revision, string Type, string StorageKey, string Namespace, string Name,
    JsonObject Object, JsonObject? Previous);
