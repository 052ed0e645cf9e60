using k8s.Models;
using ModelOperator.Operator.Autoscaling;

namespace ModelOperator.Operator.Tests.Unit.Autoscaling;

public sealed class GpuCapacityCalculatorTests
{
    private static V1Node Node(string name, int gpus, bool unschedulable = false, Dictionary<string, string>? labels = null, V1Taint? taint = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1NodeSpec { Unschedulable = unschedulable, Taints = taint is null ? null : [taint] },
        Status = new V1NodeStatus { Allocatable = new Dictionary<string, ResourceQuantity> { [GpuCapacityCalculator.Gpu] = new(gpus.ToString()) } },
    };

    private static V1Pod Pod(string name, string? node, int gpus, string phase = "Running") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container { Name = "c", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { [GpuCapacityCalculator.Gpu] = new(gpus.ToString()) } } }],
        },
        Status = new V1PodStatus { Phase = phase },
    };

    private static readonly V1Taint GpuTaint = new() { Key = "nvidia.com/gpu", Value = "present", Effect = "NoSchedule" };

    [Fact]
    public void Free_IsAllocatableLessBoundPodsOnSchedulableNodes()
    {
        V1Node[] nodes = [Node("a", 4), Node("b", 2), Node("cordoned", 8, unschedulable: true)];
        V1Pod[] pods = [Pod("x", "a", 3), Pod("y", "b", 1), Pod("done", "b", 1, phase: "Succeeded")];

        var capacity = GpuCapacityCalculator.Compute(1, null, null, nodes, pods, _ => false);

        Assert.Equal(2, capacity.FreeGpus); // a: 4-3, b: 2-1, the cordoned node and the finished pod do not count
    }

    [Fact]
    public void NodesOutsideTheSelectorOrWithUntoleratedTaints_DoNotCount()
    {
        V1Node[] nodes = [Node("pool", 2, labels: new() { ["pool"] = "gpu" }), Node("other", 4), Node("tainted", 8, labels: new() { ["pool"] = "gpu" }, taint: GpuTaint)];

        var untolerated = GpuCapacityCalculator.Compute(1, new Dictionary<string, string> { ["pool"] = "gpu" }, null, nodes, [], _ => false);
        var tolerated = GpuCapacityCalculator.Compute(1, new Dictionary<string, string> { ["pool"] = "gpu" },
            [new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }], nodes, [], _ => false);

        Assert.Equal(2, untolerated.FreeGpus);
        Assert.Equal(10, tolerated.FreeGpus);
    }

    [Fact]
    public void OwnUnboundPods_TakeTheirGpusFirst()
    {
        var capacity = GpuCapacityCalculator.Compute(2, null, null, [Node("a", 2)], [Pod("pending-1", null, 2), Pod("pending-2", null, 2), Pod("someone-else", null, 2)],
            p => p.Metadata.Name.StartsWith("pending", StringComparison.Ordinal));

        Assert.Equal(-2, capacity.FreeGpus);
        Assert.Equal(2, capacity.MaxPods(3)); // 3 pods, one of which can never bind: 2 fit
    }
}
