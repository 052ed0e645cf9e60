using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>
/// Where the runtime pods keep the model: with <see cref="Node"/>, in a node-local cache shared by every pod on the
/// node (a hostPath directory the chart names), keyed by digest, so the second pod of a model on a node downloads
/// nothing. oci:// models only.
/// </summary>
[CelRule("!has(self.prefetch) || !self.prefetch || !has(self.node) || self.node",
    "cache.prefetch fills the node cache: it needs node: true (or node left out, with the chart's modelCache.nodeByDefault)")]
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
    /// Pull the model into the node cache of every node that could run its pods (schedulable, matching the GPU
    /// nodeSelector, taints tolerated, with the GPUs a pod asks for) before one is scheduled there, so even the first
    /// pod on a node starts from the cache: one prefetch pod per node, requesting no GPU. Per node in
    /// <c>status.prefetch</c>. Needs the node cache (<see cref="Node"/>, or the chart's default).
    /// </summary>
    [JsonPropertyName("prefetch")]
    public bool? Prefetch { get; set; }
}
