using k8s.Models;
using ModelOperator.Operator.Admission;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>Which shadow pod each stable pod mirrors to (issue 23).</summary>
public sealed class ShadowTargetsTests
{
    private static V1Pod Pod(string name, string? ip, bool deleting = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, DeletionTimestamp = deleting ? DateTime.UtcNow : null },
        Status = new V1PodStatus { PodIP = ip },
    };

    [Fact]
    public void StablePods_AreSpreadOverTheShadowPods_InNameOrder()
    {
        var targets = ShadowTargets.Assign(
            [Pod("s-c", "10.0.0.3"), Pod("s-a", "10.0.0.1"), Pod("s-b", "10.0.0.2")],
            [Pod("h-b", "10.1.0.2"), Pod("h-a", "10.1.0.1")], fraction: 0.1, timeoutSeconds: 2);

        Assert.Equal(
            [("s-a", "http://10.1.0.1:8080"), ("s-b", "http://10.1.0.2:8080"), ("s-c", "http://10.1.0.1:8080")],
            targets.OrderBy(t => t.Key).Select(t => (t.Key, t.Value.Url)));
        Assert.Equal(new ShadowTargetRequest("http://10.1.0.2:8080", "http://10.1.0.2:8081", 0.1, 2), targets["s-b"]);
    }

    [Fact]
    public void ShadowPodsWithoutAnAddressOrGoing_AreNotTargets()
    {
        Assert.Empty(ShadowTargets.Assign([Pod("s-a", "10.0.0.1")], [Pod("h-a", null), Pod("h-b", "10.1.0.2", deleting: true)], 0.1, 2));
        Assert.Equal("http://[fd00::5]:8080", ShadowTargets.Assign([Pod("s-a", "10.0.0.1")], [Pod("h-a", "fd00::5")], 0.1, 2)["s-a"].Url);
    }
}
