using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>
/// A shadow phase before the canary steps, or instead of them when there are none (issue 23): the new revision's pods
/// are admitted as usual but take no user traffic; the stable pods copy a <see cref="Fraction"/> of the requests they
/// answered to them, compare the answers, and <c>spec.rollout.analysis</c> judges each interval on the answers and the
/// shadow's own latency and errors.
/// </summary>
[CelRule("!has(self.fraction) || self.fraction > 0.0", "rollout.shadow.fraction must be above 0: a shadow that gets no copies can never pass", FieldPath = ".fraction")]
public sealed class ShadowSpec
{
    /// <summary>The default of <see cref="Fraction"/>.</summary>
    public const double DefaultFraction = 0.1;
    /// <summary>The default of <see cref="Duration"/>.</summary>
    public const string DefaultDuration = "5m";
    /// <summary>The default of <see cref="MinRequests"/>.</summary>
    public const int DefaultMinRequests = 100;

    /// <summary>The share (above 0, at most 1) of the requests each stable pod answered that it copies to the shadow.</summary>
    [JsonPropertyName("fraction"), Minimum(0), Maximum(1), DefaultValue(DefaultFraction)]
    public double? Fraction { get; set; }

    /// <summary>How long the phase runs at least, from the shadow's first ready pod.</summary>
    [JsonPropertyName("duration"), Pattern(Durations.Pattern), DefaultValue(DefaultDuration)]
    public string? Duration { get; set; }

    /// <summary>The least requests compared (on every checked output) before the phase can pass.</summary>
    [JsonPropertyName("minRequests"), Minimum(1), DefaultValue(DefaultMinRequests)]
    public int? MinRequests { get; set; }
}
