using System.Text.Json.Serialization;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// What <c>pack --quantize int8</c> or <c>--fp16</c> did and what it cost, measured at pack time on the same inputs:
/// recorded in the package config as <c>config.compression</c> and shown by <c>inspect</c>.
/// </summary>
internal sealed record CompressionReport(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("sourceSha256")] string SourceSha256,
    [property: JsonPropertyName("sourceSize")] long SourceSize,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sizeRatio")] double SizeRatio,
    [property: JsonPropertyName("speedRatio")] double SpeedRatio,
    [property: JsonPropertyName("sourceMsPerSample")] double SourceMsPerSample,
    [property: JsonPropertyName("msPerSample")] double MsPerSample,
    [property: JsonPropertyName("speedMeasuredOn")] string SpeedMeasuredOn,
    [property: JsonPropertyName("inputs")] string Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<OutputDrift> Outputs,
    [property: JsonPropertyName("rewrittenOperators")] int RewrittenOperators,
    [property: JsonPropertyName("leftFloat")] IReadOnlyList<string> LeftFloat,
    [property: JsonPropertyName("note"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note = null,
    [property: JsonPropertyName("done"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Done = null)
{
    /// <summary>The largest absolute difference over all outputs (0 when the model has none that compare).</summary>
    public double MaxDrift => Outputs.Select(o => o.MaxAbsDifference).DefaultIfEmpty(0).Max();
}

/// <summary>
/// How far one output moved: the largest absolute difference, and for an output of class scores the share of rows
/// (every position along the leading axes) whose top-1 class along the last axis is unchanged.
/// </summary>
internal sealed record OutputDrift(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("maxAbsDifference")] double MaxAbsDifference,
    [property: JsonPropertyName("top1Agreement"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Top1Agreement = null,
    [property: JsonPropertyName("rows"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Rows = null);
