using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>
/// Scale to zero: after <see cref="IdleAfter"/> without a request the model runs no pods; while it has no ready pod
/// the activator receives its requests, holds them, wakes the model and forwards each once a pod is admitted.
/// Needs <c>spec.replicas.min: 0</c>.
/// </summary>
public sealed class ScaleToZeroSpec
{
    /// <summary>The default of <see cref="MaxHeldRequests"/>.</summary>
    public const int DefaultMaxHeldRequests = 100;

    /// <summary>The default of <see cref="ColdStartTimeout"/>.</summary>
    public const string DefaultColdStartTimeout = "2m";

    /// <summary>How long the model must go without a request before its pods are removed.</summary>
    [JsonPropertyName("idleAfter"), RequiredField, Pattern(Durations.Pattern)]
    public string IdleAfter { get; set; } = "";

    /// <summary>Requests the activator holds for this model while it has no ready pod; beyond them it answers 503 with Retry-After.</summary>
    [JsonPropertyName("maxHeldRequests"), Minimum(1), Maximum(100000), DefaultValue(DefaultMaxHeldRequests)]
    public int? MaxHeldRequests { get; set; }

    /// <summary>
    /// How long a held request waits for a pod to be admitted before the activator answers it 503 with Retry-After; a
    /// cold start that takes longer is reported on the Ready condition with reason ColdStartTimedOut.
    /// </summary>
    [JsonPropertyName("coldStartTimeout"), Pattern(Durations.Pattern), DefaultValue(DefaultColdStartTimeout)]
    public string? ColdStartTimeout { get; set; }
}
