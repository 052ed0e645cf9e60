namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// The runtime's metric names and labels the operator reads (runtime/Metrics/RuntimeMetrics.cs and
/// runtime/Server/InferenceMetricsMiddleware.cs), and which outcomes count as errors.
/// </summary>
public static class RuntimeMetricNames
{
    /// <summary>Counter of inference requests, labelled <c>model</c> and <c>outcome</c>.</summary>
    public const string Requests = "modelruntime_requests_total";

    /// <summary>The latency histogram's base name (seconds), labelled <c>model</c> and <c>outcome</c>.</summary>
    public const string RequestDuration = "modelruntime_request_duration_seconds";

    /// <summary>The latency histogram's bucket series.</summary>
    public const string RequestDurationBucket = RequestDuration + "_bucket";

    /// <summary>A stable pod's compared shadow requests, labelled <c>model</c> and <c>output</c> (issue 23).</summary>
    public const string ShadowCompared = "modelruntime_shadow_compared_total";

    /// <summary>A stable pod's compared shadow requests whose output agreed, labelled <c>model</c> and <c>output</c>.</summary>
    public const string ShadowAgreeing = "modelruntime_shadow_agreeing_total";

    /// <summary>The buckets of the per-request max |stable − shadow| histogram, labelled <c>model</c> and <c>output</c>.</summary>
    public const string ShadowMaxAbsDiffBucket = "modelruntime_shadow_max_abs_diff_bucket";

    /// <summary>Copies a stable pod sent to the shadow.</summary>
    public const string ShadowMirrored = "modelruntime_shadow_mirrored_total";

    /// <summary>Copies the shadow did not answer usably, labelled <c>reason</c>.</summary>
    public const string ShadowFailures = "modelruntime_shadow_failures_total";

    /// <summary>Sampled copies dropped because a stable pod's mirror queue was full.</summary>
    public const string ShadowDropped = "modelruntime_shadow_dropped_total";

    /// <summary>The port every runtime pod serves HTTP (and <c>/metrics</c>) on.</summary>
    public const int Port = 8080;

    /// <summary>
    /// Outcomes that count as errors: the server failed (5xx). A client error (4xx) is the caller's mistake, and a
    /// revision or a replica count cannot fix it, so it counts as a request but not as an error (as Flagger counts).
    /// </summary>
    public static bool IsError(string? outcome) => outcome == "server_error";
}
