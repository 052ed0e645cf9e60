namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// The φ-quantile of cumulative buckets, computed as PromQL's <c>histogram_quantile</c> does (promql/quantile.go,
/// bucketQuantile): linear interpolation inside the bucket the rank falls in, the lowest bucket starting at 0 (or
/// answering its own bound when that is not positive), the second-highest bound when the rank falls in the +Inf
/// bucket, and NaN without a +Inf bucket, with fewer than two buckets or with no observations.
/// </summary>
public static class HistogramQuantile
{
    /// <summary>Computes the quantile <paramref name="q"/> (0..1) of <paramref name="buckets"/>, in their unit.</summary>
    public static double Compute(double q, IEnumerable<HistogramBucket> buckets)
    {
        if (double.IsNaN(q)) return double.NaN;
        if (q < 0) return double.NegativeInfinity;
        if (q > 1) return double.PositiveInfinity;

        // Equal bounds (the same bucket from several series) are summed, as Prometheus coalesces them.
        var sorted = buckets.GroupBy(b => b.UpperBound)
            .Select(g => new HistogramBucket(g.Key, g.Sum(b => b.Count)))
            .OrderBy(b => b.UpperBound)
            .ToList();
        if (sorted.Count == 0 || !double.IsPositiveInfinity(sorted[^1].UpperBound)) return double.NaN;
        if (sorted.Count < 2) return double.NaN;
        EnsureMonotonic(sorted);

        var observations = sorted[^1].Count;
        if (observations == 0 || double.IsNaN(observations)) return double.NaN;
        var rank = q * observations;
        var b = 0;
        while (b < sorted.Count - 1 && sorted[b].Count < rank) b++;

        if (b == sorted.Count - 1) return sorted[^2].UpperBound;
        if (b == 0 && sorted[0].UpperBound <= 0) return sorted[0].UpperBound;
        var bucketStart = 0.0;
        var bucketEnd = sorted[b].UpperBound;
        var count = sorted[b].Count;
        if (b > 0)
        {
            bucketStart = sorted[b - 1].UpperBound;
            count -= sorted[b - 1].Count;
            rank -= sorted[b - 1].Count;
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }

    // Buckets taken at slightly different moments (or across a reset) can decrease; Prometheus carries the
    // running maximum upward rather than answering nonsense.
    private static void EnsureMonotonic(List<HistogramBucket> buckets)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i].Count > max) max = buckets[i].Count;
            else if (buckets[i].Count < max) buckets[i] = buckets[i] with { Count = max };
        }
    }
}
