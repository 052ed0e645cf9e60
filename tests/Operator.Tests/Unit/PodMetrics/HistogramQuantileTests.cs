using ModelOperator.Operator.PodMetrics;

namespace ModelOperator.Operator.Tests.Unit.PodMetrics;

public sealed class HistogramQuantileTests
{
    private static readonly HistogramBucket[] Typical = [new(0.1, 50), new(0.2, 80), new(0.5, 90), new(double.PositiveInfinity, 100)];

    // Expected values follow PromQL's histogram_quantile on the same buckets.
    [Theory]
    [InlineData(0.0, 0.0)]            // rank 0 falls in the lowest bucket, which starts at 0
    [InlineData(0.25, 0.05)]          // interpolated inside the lowest bucket
    [InlineData(0.5, 0.1)]            // exactly at a bucket's cumulative count: its upper bound
    [InlineData(0.65, 0.15)]          // interpolated inside the second bucket
    [InlineData(0.9, 0.5)]            // exactly at the last finite bucket
    [InlineData(0.95, 0.5)]           // in the +Inf bucket: the second-highest bound
    [InlineData(1.0, 0.5)]
    public void Quantile_InterpolatesLinearlyInsideTheBucket(double q, double expected)
    {
        Assert.Equal(expected, HistogramQuantile.Compute(q, Typical), 12);
    }

    [Theory]
    [InlineData(-0.1, double.NegativeInfinity)]
    [InlineData(1.1, double.PositiveInfinity)]
    [InlineData(double.NaN, double.NaN)]
    public void Quantile_OutsideZeroToOne_AnswersAsPrometheus(double q, double expected)
    {
        Assert.Equal(expected, HistogramQuantile.Compute(q, Typical));
    }

    public static TheoryData<string, HistogramBucket[]> NoAnswer => new()
    {
        { "no buckets", [] },
        { "no +Inf bucket", [new(0.1, 5), new(0.2, 10)] },
        { "only the +Inf bucket", [new(double.PositiveInfinity, 10)] },
        { "no observations", [new(0.1, 0), new(0.2, 0), new(double.PositiveInfinity, 0)] },
    };

    [Theory]
    [MemberData(nameof(NoAnswer))]
    public void Quantile_IsNaN_When(string why, HistogramBucket[] buckets)
    {
        Assert.True(double.IsNaN(HistogramQuantile.Compute(0.95, buckets)), why);
    }

    [Fact]
    public void Quantile_OfANonPositiveLowestBucket_IsItsBound()
    {
        Assert.Equal(-1, HistogramQuantile.Compute(0.5, [new(-1, 10), new(double.PositiveInfinity, 10)]));
    }

    [Fact]
    public void Quantile_CoalescesEqualBoundsFromSeveralSeries_InAnyOrder()
    {
        HistogramBucket[] twoPods = [new(0.2, 40), new(0.1, 25), new(double.PositiveInfinity, 50), new(0.1, 25), new(0.2, 40), new(double.PositiveInfinity, 50)];
        Assert.Equal(0.15, HistogramQuantile.Compute(0.65, twoPods), 12);
    }

    [Fact]
    public void Quantile_CarriesTheRunningMaximumOverADecreasingBucket()
    {
        HistogramBucket[] skewed = [new(0.1, 60), new(0.2, 50), new(double.PositiveInfinity, 100)];
        Assert.Equal(0.1 * 50 / 60, HistogramQuantile.Compute(0.5, skewed), 12);
    }

    [Fact]
    public void Quantile_SkipsEmptyBucketsAboveTheRank()
    {
        Assert.Equal(0.1, HistogramQuantile.Compute(1.0, [new(0.1, 10), new(0.2, 10), new(double.PositiveInfinity, 10)]), 12);
    }
}
