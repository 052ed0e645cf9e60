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

    /// <summary>The port every runtime pod serves HTTP (and <c>/metrics</c>) on.</summary>
    public const int Port = 8080;

    /// <summary>
    /// Outcomes that count as errors: the server failed (5xx). A client error (4xx) is the caller's mistake, and a
    /// revision or a replica count cannot fix it, so it counts as a request but not as an error (as Flagger counts).
    /// </summary>
    public static bool IsError(string? outcome) => outcome == "server_error";
}
