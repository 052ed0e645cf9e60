using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>Observed state. All rollout state lives here, so a restarted operator continues where the last one stopped.</summary>
public sealed class ModelDeploymentStatus
{
    /// <summary>The generation this status describes.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>Where the ModelDeployment stands.</summary>
    [JsonPropertyName("phase"), EnumValues(Phases.Pending, Phases.Pulling, Phases.Benchmarking, Phases.Serving, Phases.ScaledToZero, Phases.Progressing, Phases.RolledBack, Phases.Failed)]
    public string? Phase { get; set; }

    /// <summary>KEP-1623 conditions: Ready, Progressing, Degraded, BenchmarkPassed, RolledBack.</summary>
    [JsonPropertyName("conditions")]
    public List<Condition>? Conditions { get; set; }

    /// <summary>The revision serving full traffic.</summary>
    [JsonPropertyName("stableRevision")]
    public string? StableRevision { get; set; }

    /// <summary>The revision being rolled out.</summary>
    [JsonPropertyName("canaryRevision")]
    public string? CanaryRevision { get; set; }

    /// <summary>The canary's traffic share in percent.</summary>
    [JsonPropertyName("canaryWeight"), Minimum(0), Maximum(100)]
    public int? CanaryWeight { get; set; }

    /// <summary>Failed analysis checks of the current canary.</summary>
    [JsonPropertyName("failedChecks"), Minimum(0)]
    public int? FailedChecks { get; set; }

    /// <summary>The model digest the runtime resolved.</summary>
    [JsonPropertyName("resolvedDigest")]
    public string? ResolvedDigest { get; set; }

    /// <summary>Desired runtime pods.</summary>
    [JsonPropertyName("replicas"), Minimum(0)]
    public int? Replicas { get; set; }

    /// <summary>The label selector of the pods, for the scale subresource (a HorizontalPodAutoscaler or KEDA reads it).</summary>
    [JsonPropertyName("selector")]
    public string? Selector { get; set; }

    /// <summary>Ready runtime pods.</summary>
    [JsonPropertyName("readyReplicas"), Minimum(0)]
    public int? ReadyReplicas { get; set; }

    /// <summary>Latest observed p95 latency.</summary>
    [JsonPropertyName("latencyP95Ms")]
    public double? LatencyP95Ms { get; set; }

    /// <summary>On-node benchmark results.</summary>
    [JsonPropertyName("benchmarks")]
    public List<BenchmarkResult>? Benchmarks { get; set; }

    /// <summary>How each runtime pod got its model: from the node cache (hit), pulled into it (miss), or without one (off), and the bytes it pulled.</summary>
    [JsonPropertyName("modelSources")]
    public List<ModelSourceRecord>? ModelSources { get; set; }

    /// <summary>With <c>spec.model.cache.prefetch</c>: per node that could run the model's pods, whether its node cache holds the model.</summary>
    [JsonPropertyName("prefetch")]
    public List<PrefetchNodeStatus>? Prefetch { get; set; }

    /// <summary>When the autoscaler last changed the replica count.</summary>
    [JsonPropertyName("lastScaleTime")]
    public DateTime? LastScaleTime { get; set; }

    /// <summary>The last cold start from zero pods (spec.autoscaling.scaleToZero), with its breakdown.</summary>
    [JsonPropertyName("coldStart")]
    public ColdStartRecord? ColdStart { get; set; }

    /// <summary>Where the model is served inside the cluster.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    /// <summary>Replicas of the canary Deployment, sized from the step's weight and the stable replica count.</summary>
    [JsonPropertyName("canaryReplicas"), Minimum(0)]
    public int? CanaryReplicas { get; set; }

    /// <summary>The index of the rollout step the canary is at (0-based).</summary>
    [JsonPropertyName("currentStep"), Minimum(0)]
    public int? CurrentStep { get; set; }

    /// <summary>When the canary reached the current step (its pause counts from here).</summary>
    [JsonPropertyName("stepStartTime")]
    public DateTime? StepStartTime { get; set; }

    /// <summary>When the canary was last analysed.</summary>
    [JsonPropertyName("lastCheckTime")]
    public DateTime? LastCheckTime { get; set; }

    /// <summary>When the rollout last made progress (a conclusive check or a new step); the progress deadline counts from here.</summary>
    [JsonPropertyName("lastProgressTime")]
    public DateTime? LastProgressTime { get; set; }

    /// <summary>The last analysis of the canary, with the measured values.</summary>
    [JsonPropertyName("lastAnalysis")]
    public AnalysisRecord? LastAnalysis { get; set; }

    /// <summary>The shadow phase of the revision being rolled out (spec.rollout.shadow), or of the last one that had one.</summary>
    [JsonPropertyName("shadow")]
    public ShadowStatus? Shadow { get; set; }

    /// <summary>A revision that failed (rolled back or stopped); it is not tried again until the spec changes.</summary>
    [JsonPropertyName("failedRevision")]
    public string? FailedRevision { get; set; }

    /// <summary>The generation at which <see cref="FailedRevision"/> failed.</summary>
    [JsonPropertyName("failedGeneration")]
    public long? FailedGeneration { get; set; }

    /// <summary>The last revisions and their outcome, newest last.</summary>
    [JsonPropertyName("history")]
    public List<RevisionRecord>? History { get; set; }
}

/// <summary>The phases a ModelDeployment goes through.</summary>
public static class Phases
{
#pragma warning disable CS1591 // the names are the documentation
    public const string Pending = "Pending";
    public const string Pulling = "Pulling";
    public const string Benchmarking = "Benchmarking";
    public const string Serving = "Serving";
    public const string ScaledToZero = "ScaledToZero";
    public const string Progressing = "Progressing";
    public const string RolledBack = "RolledBack";
    public const string Failed = "Failed";
#pragma warning restore CS1591
}

/// <summary>A metav1.Condition.</summary>
public sealed class Condition
{
    /// <summary>Condition type in CamelCase.</summary>
    [JsonPropertyName("type"), RequiredField, Pattern("^[A-Z][A-Za-z0-9]*$")]
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    [JsonPropertyName("status"), RequiredField, EnumValues("True", "False", "Unknown")]
    public string Status { get; set; } = "Unknown";

    /// <summary>The generation the condition was computed from.</summary>
    [JsonPropertyName("observedGeneration"), Minimum(0)]
    public long? ObservedGeneration { get; set; }

    /// <summary>When the status last changed.</summary>
    [JsonPropertyName("lastTransitionTime"), RequiredField]
    public DateTime LastTransitionTime { get; set; }

    /// <summary>Machine-readable CamelCase reason.</summary>
    [JsonPropertyName("reason"), RequiredField, Pattern("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")]
    public string Reason { get; set; } = "";

    /// <summary>Human-readable message.</summary>
    [JsonPropertyName("message"), RequiredField]
    public string Message { get; set; } = "";
}

/// <summary>One benchmark measurement on one node.</summary>
public sealed class BenchmarkResult
{
    /// <summary>The revision the benchmarked pod belongs to.</summary>
    [JsonPropertyName("revision")] public string? Revision { get; set; }

    /// <summary>The pod that ran the benchmark.</summary>
    [JsonPropertyName("pod")] public string? Pod { get; set; }

    /// <summary>The shape each input was benchmarked at, as <c>name=[d1,d2,…]</c>.</summary>
    [JsonPropertyName("inputShapes")] public string? InputShapes { get; set; }

    /// <summary>The node the pod ran on.</summary>
    [JsonPropertyName("node")] public string? Node { get; set; }

    /// <summary>The device the model ran on (cpu or cuda).</summary>
    [JsonPropertyName("device")] public string? Device { get; set; }

    /// <summary>The ONNX Runtime execution provider used.</summary>
    [JsonPropertyName("provider")] public string? Provider { get; set; }

    /// <summary>Inputs per request in this measurement.</summary>
    [JsonPropertyName("batchSize")] public int? BatchSize { get; set; }

    /// <summary>Median latency in milliseconds.</summary>
    [JsonPropertyName("p50Ms")] public double? P50Ms { get; set; }

    /// <summary>95th percentile latency in milliseconds.</summary>
    [JsonPropertyName("p95Ms")] public double? P95Ms { get; set; }

    /// <summary>99th percentile latency in milliseconds.</summary>
    [JsonPropertyName("p99Ms")] public double? P99Ms { get; set; }

    /// <summary>Inferences per second.</summary>
    [JsonPropertyName("throughput")] public double? Throughput { get; set; }
}

/// <summary>One analysis of the canary over one interval, with what was measured.</summary>
public sealed class AnalysisRecord
{
    /// <summary>When the interval ended.</summary>
    [JsonPropertyName("time")] public DateTime? Time { get; set; }

    /// <summary>Passed, Failed, or Inconclusive (no requests reached the canary).</summary>
    [JsonPropertyName("result"), EnumValues("Passed", "Failed", "Inconclusive")] public string? Result { get; set; }

    /// <summary>The canary's p95 latency over the interval, in milliseconds.</summary>
    [JsonPropertyName("canaryP95Ms")] public double? CanaryP95Ms { get; set; }

    /// <summary>The stable revision's p95 latency over the interval, in milliseconds.</summary>
    [JsonPropertyName("stableP95Ms")] public double? StableP95Ms { get; set; }

    /// <summary>The canary's share of requests that failed with a server error (0..1).</summary>
    [JsonPropertyName("canaryErrorRate")] public double? CanaryErrorRate { get; set; }

    /// <summary>Requests the canary answered over the interval.</summary>
    [JsonPropertyName("canaryRequests")] public double? CanaryRequests { get; set; }

    /// <summary>What was compared with which threshold, for humans.</summary>
    [JsonPropertyName("message")] public string? Message { get; set; }
}

/// <summary>A revision that was rolled out and what became of it.</summary>
public sealed class RevisionRecord
{
    /// <summary>The revision hash.</summary>
    [JsonPropertyName("revision"), RequiredField]
    public string Revision { get; set; } = "";

    /// <summary>What became of it.</summary>
    [JsonPropertyName("outcome"), EnumValues("Serving", "Promoted", "RolledBack", "Halted", "Superseded", "Failed")]
    public string? Outcome { get; set; }

    /// <summary>When the outcome was recorded.</summary>
    [JsonPropertyName("time")]
    public DateTime? Time { get; set; }

    /// <summary>Details for humans.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }
}
