using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>
/// The last cold start of a model scaled to zero: from the first request the activator held to the first pod
/// admitted, and where the time went, each part measured from the pod's own condition timestamps (second precision,
/// as Kubernetes keeps them).
/// </summary>
public sealed class ColdStartRecord
{
    /// <summary>The revision that woke.</summary>
    [JsonPropertyName("revision")]
    public string? Revision { get; set; }

    /// <summary>When the activator held the first request (the demand it reported).</summary>
    [JsonPropertyName("requestedAt")]
    public DateTime? RequestedAt { get; set; }

    /// <summary>When the first pod was admitted (Ready), so held requests could be forwarded.</summary>
    [JsonPropertyName("admittedAt")]
    public DateTime? AdmittedAt { get; set; }

    /// <summary>Seconds from the first held request to the first pod admitted.</summary>
    [JsonPropertyName("seconds"), Minimum(0)]
    public double? Seconds { get; set; }

    /// <summary>Seconds from the demand to the pod bound to a node (operator, Deployment, ReplicaSet and scheduler).</summary>
    [JsonPropertyName("scheduleSeconds"), Minimum(0)]
    public double? ScheduleSeconds { get; set; }

    /// <summary>Seconds from the pod bound to its containers started (image pull and container start).</summary>
    [JsonPropertyName("pullSeconds"), Minimum(0)]
    public double? PullSeconds { get; set; }

    /// <summary>
    /// Seconds from the containers started to their readiness: the model fetched, loaded and benchmarked on the node
    /// (the runtime reports these together, by becoming ready once all three are done).
    /// </summary>
    [JsonPropertyName("loadAndBenchmarkSeconds"), Minimum(0)]
    public double? LoadAndBenchmarkSeconds { get; set; }

    /// <summary>
    /// Within <see cref="LoadAndBenchmarkSeconds"/>, by the pod's own clock (to the millisecond, rounded to a tenth;
    /// what they leave of it is the readiness probe's period and the seconds the conditions round away): the runtime
    /// process starting, fetching the model (from the registry, or the node cache), loading it, and benchmarking it.
    /// Absent when the pod did not report them.
    /// </summary>
    [JsonPropertyName("processSeconds"), Minimum(0)]
    public double? ProcessSeconds { get; set; }

    /// <summary>Within loadAndBenchmarkSeconds, by the pod's own clock: fetching the model (from its source, or the node cache's copy verified).</summary>
    [JsonPropertyName("fetchSeconds"), Minimum(0)]
    public double? FetchSeconds { get; set; }

    /// <summary>Within loadAndBenchmarkSeconds, by the pod's own clock: loading the model into ONNX Runtime.</summary>
    [JsonPropertyName("loadSeconds"), Minimum(0)]
    public double? LoadSeconds { get; set; }

    /// <summary>Within loadAndBenchmarkSeconds, by the pod's own clock: the on-node benchmark and the warm-up, until the model turned ready.</summary>
    [JsonPropertyName("benchmarkSeconds"), Minimum(0)]
    public double? BenchmarkSeconds { get; set; }

    /// <summary>Seconds from the containers ready to the operator admitting the pod (signature guard and benchmark gate).</summary>
    [JsonPropertyName("admissionSeconds"), Minimum(0)]
    public double? AdmissionSeconds { get; set; }
}
