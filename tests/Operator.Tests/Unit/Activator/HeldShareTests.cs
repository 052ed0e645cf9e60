using ModelOperator.Activator;

namespace ModelOperator.Operator.Tests.Unit.Activator;

/// <summary>maxHeldRequests is the model's limit: split over the activator replicas, never each replica's.</summary>
public sealed class HeldShareTests
{
    private static readonly string[] Two = ["10.0.0.1", "10.0.0.2"];
    private static readonly string[] Three = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];

    [Theory]
    [InlineData(100, 0, "10.0.0.1", 100)]  // no activator slice seen (one replica, or not routed yet): the whole limit
    [InlineData(100, 2, "10.0.0.1", 50)]
    [InlineData(100, 2, "10.0.0.2", 50)]
    [InlineData(5, 2, "10.0.0.1", 3)]      // the remainder goes to the first replicas
    [InlineData(5, 2, "10.0.0.2", 2)]
    [InlineData(1, 2, "10.0.0.1", 1)]      // below the replica count: one each, so either replica can wake the model
    [InlineData(1, 2, "10.0.0.2", 1)]
    [InlineData(5, 2, "10.0.0.9", 3)]      // a replica the slice does not list yet: ceil(limit / n)
    [InlineData(5, 2, null, 3)]
    public void AReplicasShare(int limit, int replicas, string? self, int expected)
    {
        Assert.Equal(expected, HeldShare.Of(limit, Two.Take(replicas).ToList(), self));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(8)]
    [InlineData(7)]
    [InlineData(3)]
    public void TheSharesOfListedReplicas_SumToTheLimit_WhenItIsAtLeastTheReplicaCount(int limit)
    {
        Assert.Equal(limit, Three.Sum(self => HeldShare.Of(limit, Three, self)));
    }
}
