using System.Globalization;
using System.Text.Json;

namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// One answer of Prometheus's <c>/api/v1/query</c> reduced to what the autoscaler needs: a single value, an empty
/// result, or an error with Prometheus's own words.
/// </summary>
public sealed record PrometheusAnswer(double? Value, string? Error)
{
    /// <summary>Whether the query returned no sample.</summary>
    public bool Empty => Value is null && Error is null;

    /// <summary>
    /// Reads the JSON body: a scalar, or a vector of exactly one sample. A vector of several samples is an error,
    /// because a latency must be one number (aggregate it in the query).
    /// </summary>
    public static PrometheusAnswer Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var status = root.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status != "success")
            {
                var error = root.TryGetProperty("error", out var e) ? e.GetString() : "no error message";
                var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : "unknown";
                return new PrometheusAnswer(null, $"Prometheus answered {status ?? "without a status"} ({type}): {error}");
            }
            var data = root.GetProperty("data");
            var resultType = data.GetProperty("resultType").GetString();
            var result = data.GetProperty("result");
            switch (resultType)
            {
                case "scalar":
                    return new PrometheusAnswer(SampleValue(result), null);
                case "vector":
                    var samples = result.EnumerateArray().ToList();
                    if (samples.Count == 0) return new PrometheusAnswer(null, null);
                    if (samples.Count > 1) return new PrometheusAnswer(null, $"the query returned {samples.Count} series; it must return one (aggregate with sum or max)");
                    return new PrometheusAnswer(SampleValue(samples[0].GetProperty("value")), null);
                default:
                    return new PrometheusAnswer(null, $"the query returned a {resultType}; it must return a scalar or one sample");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new PrometheusAnswer(null, $"Prometheus answered an unreadable body: {e.Message}");
        }
    }

    // A sample is [unix time, "value"]; the value is a string so that NaN and ±Inf survive JSON.
    private static double SampleValue(JsonElement pair)
    {
        var text = pair[1].GetString() ?? throw new FormatException("sample value is null");
        return text switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }
}
