using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>The canary that comes with a stable count, which the autoscaler sizes (and finds GPUs for) together with stable.</summary>
public sealed class CanarySurgeTests
{
    private static ModelDeployment Model(ModelDeploymentStatus? status) => new()
    {
        Metadata = new() { Name = "m", NamespaceProperty = "default" },
        Spec = new ModelDeploymentSpec
        {
            Replicas = new ReplicasSpec { Min = 1, Max = 6 },
            Rollout = new RolloutSpec { Steps = [new RolloutStep { Weight = 25 }, new RolloutStep { Weight = 50 }] },
        },
        Status = status,
    };

    [Fact]
    public void NoCanary_NoSurge()
    {
        Assert.Equal(0, CanarySurge.For(Model(null))(4));
        Assert.Equal(0, CanarySurge.For(Model(new ModelDeploymentStatus { StableRevision = "a" }))(4));
    }

    [Theory]
    [InlineData(0, 2, 1)]   // 25 %: 1 of 3
    [InlineData(0, 6, 2)]   // 25 %: 2 of 8, the weight kept as stable grows
    [InlineData(1, 2, 2)]   // 50 %: 2 of 4
    [InlineData(1, 4, 4)]   // 50 %: 4 of 8
    [InlineData(2, 4, 4)]   // past the last step, promoting: the canary grows to stable's count
    public void ACanaryStep_KeepsItsWeightAsStableScales(int step, int stable, int expected)
    {
        var md = Model(new ModelDeploymentStatus { StableRevision = "a", CanaryRevision = "b", CanaryReplicas = 1, CurrentStep = step });

        Assert.Equal(expected, CanarySurge.For(md)(stable));
    }

    [Fact]
    public void ARolledBackCanary_IsNoSurge()
    {
        var md = Model(new ModelDeploymentStatus { StableRevision = "a", CanaryRevision = "b", CanaryReplicas = 0, FailedRevision = "b" });

        Assert.Equal(0, CanarySurge.For(md)(4));
    }
}
