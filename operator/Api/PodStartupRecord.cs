using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>
/// Where one runtime pod's start went, by the runtime's own clock (to the millisecond, where the pod's conditions keep
/// seconds), from its container's start to its model turning ready.
/// </summary>
public sealed class PodStartupRecord
{
    /// <summary>Seconds from the runtime process's start to the model's fetch beginning (the .NET host and server starting).</summary>
    [JsonPropertyName("processSeconds"), Minimum(0)] public double? ProcessSeconds { get; set; }

    /// <summary>Seconds fetching the model: pulled or copied from its source, or the node cache's copy verified.</summary>
    [JsonPropertyName("fetchSeconds"), Minimum(0)] public double? FetchSeconds { get; set; }

    /// <summary>Seconds loading the model into ONNX Runtime.</summary>
    [JsonPropertyName("loadSeconds"), Minimum(0)] public double? LoadSeconds { get; set; }

    /// <summary>Seconds of the on-node benchmark and the warm-up of the request path, until the model turned ready.</summary>
    [JsonPropertyName("benchmarkSeconds"), Minimum(0)] public double? BenchmarkSeconds { get; set; }
}
