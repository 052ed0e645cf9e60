using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>How one runtime pod got its model, as the pod reported it with its benchmark.</summary>
public sealed class ModelSourceRecord
{
    /// <summary>The pod.</summary>
    [JsonPropertyName("pod")] public string? Pod { get; set; }

    /// <summary>The revision the pod belongs to.</summary>
    [JsonPropertyName("revision")] public string? Revision { get; set; }

    /// <summary>The node the pod ran on.</summary>
    [JsonPropertyName("node")] public string? Node { get; set; }

    /// <summary>hit: from the node cache, nothing downloaded; miss: pulled into the node cache; off: no node cache.</summary>
    [JsonPropertyName("cache"), EnumValues("hit", "miss", "off")] public string? Cache { get; set; }

    /// <summary>Bytes of model the pod downloaded from the registry; absent where the source does not count them (https://, s3://).</summary>
    [JsonPropertyName("bytesPulled"), Minimum(0)] public long? BytesPulled { get; set; }

    /// <summary>Why the node cache missed although it had the model (its copy failed verification and was pulled again).</summary>
    [JsonPropertyName("reason")] public string? Reason { get; set; }

    /// <summary>Where the pod's start went by its own clock: process, fetch, load, benchmark.</summary>
    [JsonPropertyName("startup")] public PodStartupRecord? Startup { get; set; }
}
