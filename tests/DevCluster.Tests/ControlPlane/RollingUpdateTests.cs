using k8s.Models;
using ModelOperator.DevCluster.Controllers;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

public sealed class RollingUpdateTests
{
    [Theory]
    [InlineData(null, null, 4, 1, 1)]     // defaults 25%/25%
    [InlineData(null, null, 1, 1, 0)]     // surge rounds up, unavailable down
    [InlineData("0", "0", 3, 0, 1)]       // both zero: one may be unavailable, or nothing could move
    [InlineData("50%", "0", 3, 2, 0)]
    [InlineData("2", "1", 10, 2, 1)]
    public void Limits_ResolveAsTheDeploymentControllerDoes(string? surge, string? unavailable, int replicas, int wantSurge, int wantUnavailable)
    {
        var strategy = new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment
            {
                MaxSurge = surge is null ? null : (IntOrString)surge, MaxUnavailable = unavailable is null ? null : (IntOrString)unavailable,
            },
        };
        Assert.Equal((wantSurge, wantUnavailable), RollingUpdate.Limits(strategy, replicas));
    }

    [Fact]
    public void ScaleUp_StaysWithinSurge()
    {
        // 4 replicas, surge 1: with 4 old pods the new set may have 1.
        Assert.Equal(1, RollingUpdate.ScaleUpNew(4, 1, new ReplicaSetCounts("new", 0, 0), [new ReplicaSetCounts("old", 4, 4)]));
        // Already at 5 pods in all: no more.
        Assert.Equal(1, RollingUpdate.ScaleUpNew(4, 1, new ReplicaSetCounts("new", 1, 0), [new ReplicaSetCounts("old", 4, 4)]));
        // No old pods left: the new set takes the full count.
        Assert.Equal(4, RollingUpdate.ScaleUpNew(4, 1, new ReplicaSetCounts("new", 2, 2), [new ReplicaSetCounts("old", 0, 0)]));
    }

    [Fact]
    public void ScaleDown_KeepsMinimumAvailable()
    {
        // 4 replicas, unavailable 1: 3 must stay available. New set has 1 pod, not yet available.
        Assert.Equal([3], RollingUpdate.ScaleDownOld(4, 1, new ReplicaSetCounts("new", 1, 0), [new ReplicaSetCounts("old", 4, 4)]));
        // The new pod became available: one more old pod may go.
        Assert.Equal([2], RollingUpdate.ScaleDownOld(4, 1, new ReplicaSetCounts("new", 2, 1), [new ReplicaSetCounts("old", 3, 3)]));
    }

    [Fact]
    public void ScaleDown_RemovesUnavailableOldPodsFirst()
    {
        // Two of the old pods are not available: removing them costs no availability.
        Assert.Equal([2], RollingUpdate.ScaleDownOld(4, 0, new ReplicaSetCounts("new", 2, 2), [new ReplicaSetCounts("old", 4, 2)]));
    }

    [Fact]
    public void ScaleDown_WithNothingSpare_HoldsOldPods()
    {
        Assert.Equal([4], RollingUpdate.ScaleDownOld(4, 0, new ReplicaSetCounts("new", 1, 0), [new ReplicaSetCounts("old", 4, 4)]));
    }

    [Fact]
    public void TemplateHash_IgnoresItsOwnLabelAndKeyOrder()
    {
        var a = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "x" }] } };
        var b = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", [PodTemplateHash.Label] = "zzz" } }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "x" }] } };
        var c = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "y" }] } };

        Assert.Equal(PodTemplateHash.Of(a), PodTemplateHash.Of(b));
        Assert.True(PodTemplateHash.SameTemplate(a, b));
        Assert.NotEqual(PodTemplateHash.Of(a), PodTemplateHash.Of(c));
        Assert.DoesNotContain(PodTemplateHash.Of(a), ch => "aeiou013".Contains(ch));
    }
}
