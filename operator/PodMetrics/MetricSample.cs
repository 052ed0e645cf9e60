namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// One line of a Prometheus text exposition: a series name, its labels and its value. A histogram appears as its
/// <c>_bucket</c> (with <c>le</c>), <c>_sum</c> and <c>_count</c> series, exactly as exposed.
/// </summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The value of a label, or null when the sample does not carry it.</summary>
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}
