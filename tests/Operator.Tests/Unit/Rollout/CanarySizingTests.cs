using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

public sealed class CanarySizingTests
{
    [Theory]
    [InlineData(0, 4, 10, 0)]    // no weight, no canary
    [InlineData(1, 4, 10, 1)]    // any weight gets at least one pod, or it never sees traffic
    [InlineData(20, 4, 10, 1)]   // 1/5 = 20% exactly
    [InlineData(50, 4, 10, 4)]   // 4/8
    [InlineData(50, 4, 3, 3)]    // capped at replicas.max: 3/7
    [InlineData(25, 2, 10, 1)]   // 1/3 (33%) beats 2/4 (50%)
    [InlineData(40, 3, 10, 2)]   // 2/5 = 40%
    [InlineData(100, 2, 5, 5)]   // full weight: as many as allowed
    [InlineData(30, 0, 4, 4)]    // no stable pods: the canary is all there is
    [InlineData(50, 1, 1, 1)]
    public void Replicas_ClosestShareToTheWeight(int weight, int stable, int max, int expected)
    {
        Assert.Equal(expected, CanarySizing.Replicas(weight, stable, max));
    }

    [Theory]
    [InlineData(1, 4, 20)]
    [InlineData(1, 2, 33)]
    [InlineData(0, 3, 0)]
    [InlineData(0, 0, 0)]
    [InlineData(2, 0, 100)]
    public void AchievedWeight_IsTheAdmittedShare(int canary, int stable, int expected)
    {
        Assert.Equal(expected, CanarySizing.AchievedWeight(canary, stable));
    }
}
