using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>
/// Where the shadow phase of the revision being rolled out stands (issue 23), summed over its intervals: kept in status
/// so a restarted operator goes on with the same tallies.
/// </summary>
public sealed class ShadowStatus
{
    /// <summary>Running while the shadow answers copies; Passed or Failed once decided.</summary>
    public const string Running = "Running", Passed = "Passed", Failed = "Failed";

    /// <summary>The revision running as shadow.</summary>
    [JsonPropertyName("revision")]
    public string? Revision { get; set; }

    /// <summary>Running, Passed or Failed.</summary>
    [JsonPropertyName("decision"), EnumValues(Running, Passed, Failed)]
    public string? Decision { get; set; }

    /// <summary>When the shadow's first pod was ready: the phase's duration counts from here.</summary>
    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; set; }

    /// <summary>Copies the stable pods sent to the shadow.</summary>
    [JsonPropertyName("mirrored"), Minimum(0)]
    public double? Mirrored { get; set; }

    /// <summary>Requests whose answers were compared, on every checked output (the least over outputs).</summary>
    [JsonPropertyName("compared"), Minimum(0)]
    public double? Compared { get; set; }

    /// <summary>The share of compared requests whose top-1 agreed, the lowest over the checked outputs.</summary>
    [JsonPropertyName("agreement"), Minimum(0), Maximum(1)]
    public double? Agreement { get; set; }

    /// <summary>The largest interval p99 of the max |difference| per request, over the checked outputs.</summary>
    [JsonPropertyName("largestDiff")]
    public double? LargestDiff { get; set; }

    /// <summary>Failed checks in the phase.</summary>
    [JsonPropertyName("failedChecks"), Minimum(0)]
    public int? FailedChecks { get; set; }

    /// <summary>The result of the last conclusive check (Passed or Failed); the phase passes only after a passed one.</summary>
    [JsonPropertyName("lastConclusive"), EnumValues("Passed", "Failed")]
    public string? LastConclusive { get; set; }

    /// <summary>Compared and agreeing requests per checked output.</summary>
    [JsonPropertyName("outputs")]
    public List<ShadowOutputStatus>? Outputs { get; set; }

    /// <summary>What the phase waits for, or why it passed or failed.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

/// <summary>One checked output's tally over the shadow phase.</summary>
public sealed class ShadowOutputStatus
{
    /// <summary>The output's name.</summary>
    [JsonPropertyName("output"), RequiredField]
    public string Output { get; set; } = "";

    /// <summary>Requests compared on this output.</summary>
    [JsonPropertyName("compared"), Minimum(0)]
    public double? Compared { get; set; }

    /// <summary>Compared requests that agreed: no shape or datatype mismatch and, for a class-score output, every row's top-1 the same.</summary>
    [JsonPropertyName("agreeing"), Minimum(0)]
    public double? Agreeing { get; set; }
}
