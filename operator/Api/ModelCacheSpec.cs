using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>
/// Where the runtime pods keep the model: with <see cref="Node"/>, in a node-local cache shared by every pod on the
/// node (a hostPath directory the chart names), keyed by digest, so the second pod of a model on a node downloads
/// nothing. oci:// models only.
/// </summary>
[CelRule("!has(self.prefetch) || !self.prefetch",
    "cache.prefetch is not supported yet: the first pod on each node pulls the model into the node cache; remove prefetch or set it to false")]
public sealed class ModelCacheSpec
{
    /// <summary>
    /// Share one verified copy per node: the first pod on a node pulls and verifies, pods starting meanwhile wait for
    /// that pull, later pods verify the cached copy and start without contacting the registry. Absent: the operator's
    /// default (the chart's <c>modelCache.nodeByDefault</c>).
    /// </summary>
    [JsonPropertyName("node")]
    public bool? Node { get; set; }

    /// <summary>
    /// Pull the model onto every node that could run its pods before one is scheduled there. Not supported yet: refused
    /// at apply when true.
    /// </summary>
    [JsonPropertyName("prefetch")]
    public bool? Prefetch { get; set; }
}
