using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>Latency-driven autoscaling: the operator scales the stable revision on the observed latency quantile.</summary>
[CelRule("self.source != 'prometheus' || has(self.prometheusUrl)", "autoscaling.prometheusUrl is required when source is prometheus")]
[CelRule("!has(self.query) || self.source == 'prometheus'", "autoscaling.query is a PromQL expression and needs source prometheus")]
public sealed class AutoscalingSpec
{
    /// <summary>The latency quantile that drives scaling.</summary>
    [JsonPropertyName("metric"), EnumValues("latencyP95", "latencyP99"), DefaultValue("latencyP95")]
    public string? Metric { get; set; }

    /// <summary>The target latency.</summary>
    [JsonPropertyName("targetMs"), RequiredField, Minimum(1)]
    public double TargetMs { get; set; }

    /// <summary>The window the quantile is computed over.</summary>
    [JsonPropertyName("window"), Pattern(Durations.Pattern), DefaultValue("1m")]
    public string? Window { get; set; }

    /// <summary>How long a higher recommendation must hold before scaling up.</summary>
    [JsonPropertyName("scaleUpStabilization"), Pattern(Durations.Pattern), DefaultValue("0s")]
    public string? ScaleUpStabilization { get; set; }

    /// <summary>How long a lower recommendation must hold before scaling down.</summary>
    [JsonPropertyName("scaleDownStabilization"), Pattern(Durations.Pattern), DefaultValue("5m")]
    public string? ScaleDownStabilization { get; set; }

    /// <summary>Where latencies come from.</summary>
    [JsonPropertyName("source"), EnumValues("pods", "prometheus"), DefaultValue("pods")]
    public string? Source { get; set; }

    /// <summary>Prometheus base URL when source is prometheus.</summary>
    [JsonPropertyName("prometheusUrl"), Pattern("^https?://[^\\s]+$")]
    public string? PrometheusUrl { get; set; }

    /// <summary>
    /// A PromQL expression returning the latency in milliseconds (one sample), for source prometheus; by default the
    /// operator builds the quantile from the runtime's histogram and the namespace and pod labels.
    /// </summary>
    [JsonPropertyName("query"), Pattern("\\S")]
    public string? Query { get; set; }

    /// <summary>Scale to zero pods when idle and back on the first request (needs replicas.min 0).</summary>
    [JsonPropertyName("scaleToZero")]
    public ScaleToZeroSpec? ScaleToZero { get; set; }
}

/// <summary>The benchmark every runtime pod runs on its node before reporting ready.</summary>
public sealed class BenchmarkSpec
{
    /// <summary>Batch sizes to measure.</summary>
    [JsonPropertyName("batchSizes"), Minimum(1), Maximum(1024), MinItems(1)]
    public List<int>? BatchSizes { get; set; }

    /// <summary>Iterations discarded before measuring.</summary>
    [JsonPropertyName("warmupIterations"), Minimum(0)]
    public int? WarmupIterations { get; set; }

    /// <summary>Measured iterations per batch size.</summary>
    [JsonPropertyName("iterations"), Minimum(1)]
    public int? Iterations { get; set; }

    /// <summary>Concurrent requests while measuring.</summary>
    [JsonPropertyName("concurrency"), Minimum(1)]
    public int? Concurrency { get; set; }

    /// <summary>
    /// The shape each input is benchmarked at (input name to full shape; the first dimension is replaced by each batch
    /// size). Inputs not named here use the package's recorded shapes, and a dynamic dimension with no shape uses 1.
    /// </summary>
    [JsonPropertyName("inputShapes")]
    public Dictionary<string, List<long>>? InputShapes { get; set; }

    /// <summary>The limits a revision must meet.</summary>
    [JsonPropertyName("gate")]
    public BenchmarkGate? Gate { get; set; }
}

/// <summary>Limits the benchmark must meet.</summary>
public sealed class BenchmarkGate
{
    /// <summary>Highest acceptable p95 latency.</summary>
    [JsonPropertyName("maxP95Ms"), Minimum(0)]
    public double? MaxP95Ms { get; set; }

    /// <summary>Lowest acceptable throughput in inferences per second.</summary>
    [JsonPropertyName("minThroughput"), Minimum(0)]
    public double? MinThroughput { get; set; }
}

/// <summary>How a new revision becomes stable.</summary>
[CelRule("!has(self.steps) || (self.steps.map(s, s.weight).isSorted() && self.steps.all(a, self.steps.exists_one(b, b.weight == a.weight)))",
    "rollout.steps' weights must increase from step to step")]
[CelRule("has(self.shadow) || !has(self.analysis) || !(has(self.analysis.minAgreement) || has(self.analysis.maxOutputDiff) || has(self.analysis.outputs))",
    "rollout.analysis.minAgreement, maxOutputDiff and outputs judge a shadow's answers and need rollout.shadow")]
[CelRule("!has(self.shadow) || has(self.analysis)", "rollout.shadow needs rollout.analysis: the phase passes only on a passed check")]
public sealed class RolloutSpec
{
    /// <summary>Canary weights walked in order; each step's weight above the one before.</summary>
    [JsonPropertyName("steps"), MaxItems(20)]
    public List<RolloutStep>? Steps { get; set; }

    /// <summary>Checks run each interval while a canary or shadow is live.</summary>
    [JsonPropertyName("analysis")]
    public AnalysisSpec? Analysis { get; set; }

    /// <summary>A shadow phase before the steps (or instead of them): the new revision answers copies of live requests, never users.</summary>
    [JsonPropertyName("shadow")]
    public ShadowSpec? Shadow { get; set; }

    /// <summary>Roll back when checks fail.</summary>
    [JsonPropertyName("autoRollback"), DefaultValue(true)]
    public bool? AutoRollback { get; set; }

    /// <summary>Admit a revision whose inputs or outputs differ from the stable revision's.</summary>
    [JsonPropertyName("allowSignatureChange"), DefaultValue(false)]
    public bool? AllowSignatureChange { get; set; }
}

/// <summary>One canary step.</summary>
public sealed class RolloutStep
{
    /// <summary>Traffic percentage for the canary.</summary>
    [JsonPropertyName("weight"), RequiredField, Minimum(0), Maximum(100)]
    public int Weight { get; set; }

    /// <summary>How long to hold this step.</summary>
    [JsonPropertyName("pause"), Pattern(Durations.Pattern)]
    public string? Pause { get; set; }
}

/// <summary>Canary analysis thresholds.</summary>
[CelRule("!(has(self.maxP95Ms) && has(self.maxP95Ratio))", "analysis takes maxP95Ms or maxP95Ratio, not both")]
public sealed class AnalysisSpec
{
    /// <summary>How often the canary is checked.</summary>
    [JsonPropertyName("interval"), Pattern(Durations.Pattern), DefaultValue("30s")]
    public string? Interval { get; set; }

    /// <summary>Absolute p95 limit.</summary>
    [JsonPropertyName("maxP95Ms"), Minimum(0)]
    public double? MaxP95Ms { get; set; }

    /// <summary>p95 limit relative to the stable revision.</summary>
    [JsonPropertyName("maxP95Ratio"), Minimum(0)]
    public double? MaxP95Ratio { get; set; }

    /// <summary>Highest acceptable error rate (0..1).</summary>
    [JsonPropertyName("maxErrorRate"), Minimum(0), Maximum(1)]
    public double? MaxErrorRate { get; set; }

    /// <summary>Failed checks that roll back.</summary>
    [JsonPropertyName("failureLimit"), Minimum(1), DefaultValue(3)]
    public int? FailureLimit { get; set; }

    /// <summary>How long a step may go without a conclusive check before the rollout fails.</summary>
    [JsonPropertyName("progressDeadline"), Pattern(Durations.Pattern), DefaultValue("10m")]
    public string? ProgressDeadline { get; set; }

    /// <summary>
    /// Shadow phase: the least share (0..1) of compared requests whose top-1 class (along the last axis of each
    /// class-score output) agrees with stable's.
    /// </summary>
    [JsonPropertyName("minAgreement"), Minimum(0), Maximum(1)]
    public double? MinAgreement { get; set; }

    /// <summary>Shadow phase: the largest p99, over compared requests, of the max |difference| per output (for regression outputs).</summary>
    [JsonPropertyName("maxOutputDiff"), Minimum(0)]
    public double? MaxOutputDiff { get; set; }

    /// <summary>Shadow phase: the outputs minAgreement and maxOutputDiff apply to (default: every output).</summary>
    [JsonPropertyName("outputs"), Pattern("^\\S+$"), MinItems(1), MaxItems(64)]
    public List<string>? Outputs { get; set; }
}
