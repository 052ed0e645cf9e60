using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>The prefetch of a model into one node's cache, as its prefetch pod shows it.</summary>
public sealed class PrefetchNodeStatus
{
    /// <summary>The node.</summary>
    [JsonPropertyName("node")] public string? Node { get; set; }

    /// <summary>Pulled: the node cache holds the verified model; Pulling: its prefetch pod runs; Failed: the last pull failed (it is retried).</summary>
    [JsonPropertyName("state"), EnumValues("Pulled", "Pulling", "Failed")] public string? State { get; set; }

    /// <summary>The prefetch pod, whose log says more.</summary>
    [JsonPropertyName("pod")] public string? Pod { get; set; }

    /// <summary>Why the last pull failed, as the pod said it.</summary>
    [JsonPropertyName("message")] public string? Message { get; set; }
}
