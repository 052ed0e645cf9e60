namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// What the autoscaler learnt about a window: a latency, idleness (pods answered, no request was counted), or no
/// data (the signal could not be read), which is never mistaken for idle.
/// </summary>
public abstract record ScalingSignal
{
    private ScalingSignal() { }

    /// <summary>The chosen latency quantile, in milliseconds.</summary>
    public sealed record Latency(double ObservedMs) : ScalingSignal;

    /// <summary>Every pod answered and none counted a request over the window.</summary>
    public sealed record Idle : ScalingSignal;

    /// <summary>The signal could not be read; <paramref name="Reason"/> is CamelCase, <paramref name="Message"/> for humans.</summary>
    public sealed record NoData(string Reason, string Message) : ScalingSignal;

    /// <summary>A latency that is NaN or infinite is no data, not a latency.</summary>
    public static ScalingSignal FromLatency(double ms, string source) => double.IsFinite(ms)
        ? new Latency(ms)
        : new NoData("InvalidMetric", $"{source} answered {ms} for the latency quantile");
}
