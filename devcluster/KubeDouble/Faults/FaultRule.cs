namespace ModelOperator.KubeDouble.Faults;

/// <summary>
/// A fault the double injects into matching requests: an error status instead of the real answer, extra latency,
/// or both. Null match fields match anything. The rule fires <see cref="Times"/> times (null: forever).
/// </summary>
public sealed record FaultRule
{
    /// <summary>get, list, watch, create, update, patch, delete or deletecollection; null for any.</summary>
    public string? Verb { get; init; }
    /// <summary>The resource's plural, e.g. deployments; null for any.</summary>
    public string? Resource { get; init; }
    /// <summary>The subresource (status, scale); null matches only the main resource unless <see cref="AnySubresource"/>.</summary>
    public string? Subresource { get; init; }
    public bool AnySubresource { get; init; }
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    /// <summary>The status code to answer with (409, 429, 500, 504, …); null to answer normally after <see cref="Latency"/>.</summary>
    public int? StatusCode { get; init; }
    public string? Message { get; init; }
    public TimeSpan Latency { get; init; }
    public int? Times { get; init; }
}
