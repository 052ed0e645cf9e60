using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// Turns what was measured into a <see cref="ScalingSignal"/>, keeping idle (pods answered, no request counted) apart
/// from no data (scrapes failed, Prometheus failed, NaN or an empty result while requests were counted).
/// </summary>
public static class SignalReader
{
    /// <summary>The quantile (0..1) a <c>spec.autoscaling.metric</c> names.</summary>
    public static double Quantile(string? metric) => metric == "latencyP99" ? 0.99 : 0.95;

    /// <summary>The signal from the pods' own metrics.</summary>
    public static ScalingSignal FromPods(WindowMeasurement window, double quantile, int podsExpected)
    {
        if (podsExpected == 0)
            return new ScalingSignal.NoData("NoReadyPods", "No admitted pod serves yet, so there is no latency to read");
        if (window.PodsFailing.Count > 0)
            return new ScalingSignal.NoData("FailedGetPodsMetric", $"{window.PodsFailing.Count} of {podsExpected} pods did not answer: "
                + string.Join("; ", window.PodsFailing.Order().Take(3).Select(p => $"{p}: {window.PodsWithoutData[p]}")));
        if (window.PodsMeasured == 0)
            return new ScalingSignal.NoData("AwaitingMetricWindow", "The pods have not been scraped twice yet; a window needs two scrapes");
        if (window.Idle) return new ScalingSignal.Idle();
        var ms = window.LatencyQuantileMs(quantile);
        return double.IsFinite(ms) ? new ScalingSignal.Latency(ms)
            : new ScalingSignal.NoData("InvalidMetric", $"{window.Requests} requests were counted but the latency histogram gave {ms}");
    }

    /// <summary>The signal from Prometheus: the latency answer, and the request count asked when the latency is missing.</summary>
    public static ScalingSignal FromPrometheus(PrometheusAnswer latency, PrometheusAnswer? requests)
    {
        if (latency.Error is { } error) return new ScalingSignal.NoData("FailedGetPrometheusMetric", error);
        if (latency.Value is { } ms && double.IsFinite(ms)) return new ScalingSignal.Latency(ms);
        var what = latency.Empty ? "an empty result" : $"{latency.Value}";
        return requests switch
        {
            null => new ScalingSignal.NoData("InvalidMetric", $"The latency query returned {what}"),
            { Error: { } e } => new ScalingSignal.NoData("FailedGetPrometheusMetric", e),
            { Value: 0 } => new ScalingSignal.Idle(),
            { Value: { } n } when double.IsFinite(n) => new ScalingSignal.NoData("InvalidMetric", $"The latency query returned {what} while {n:0.#} requests were counted"),
            _ => new ScalingSignal.NoData("NoMetricSeries", $"Prometheus has no modelruntime series for these pods (latency: {what}); check its scrape config"),
        };
    }
}
