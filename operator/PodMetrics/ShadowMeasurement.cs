namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// What the stable pods' mirroring counted over a window (issue 23), merged across pods: per output, and the copies
/// sent, failed and dropped. <see cref="PodsMeasured"/> counts the pods with a full delta.
/// </summary>
public sealed record ShadowMeasurement(IReadOnlyList<OutputMeasurement> Outputs, double Mirrored, double Failures, double Dropped, int PodsMeasured);

/// <summary>One output over a window: requests compared, how many agreed, and the max |diff| histogram's bucket increases.</summary>
public sealed record OutputMeasurement(string Output, double Compared, double Agreeing, IReadOnlyList<HistogramBucket> MaxAbsDiffBuckets)
{
    /// <summary>Agreeing over compared; NaN without comparisons.</summary>
    public double Agreement => Compared > 0 ? Agreeing / Compared : double.NaN;

    /// <summary>The p99 over compared requests of the max |difference|, as <c>histogram_quantile(0.99, …)</c> takes it.</summary>
    public double P99MaxAbsDiff => HistogramQuantile.Compute(0.99, MaxAbsDiffBuckets);
}
