namespace ModelOperator.Operator.PodMetrics;

/// <summary>One cumulative histogram bucket: how many observations were at most <paramref name="UpperBound"/>.</summary>
public readonly record struct HistogramBucket(double UpperBound, double Count);
