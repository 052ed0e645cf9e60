using k8s.Models;
using ModelOperator.DevCluster.Scheduling;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

public sealed class SchedulerTableTests
{
    private static readonly V1Toleration GpuToleration = new() { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" };

    [Theory]
    // requests, limits, node cpu/memory/gpu free → fits
    [InlineData("cpu=2", "", true)]
    [InlineData("cpu=9", "", false)]
    [InlineData("memory=32Gi", "", true)]
    [InlineData("memory=33Gi", "", false)]
    [InlineData("", "cpu=9", false)]          // a limit without a request counts as the request
    [InlineData("cpu=1", "cpu=9", true)]      // a request below the limit is what counts
    [InlineData("nvidia.com/gpu=1", "", false)] // the CPU node has no GPUs at all
    public void ResourceFit_OnTheCpuNode(string requests, string limits, bool fits)
    {
        var pod = Pod(requests, limits);
        Assert.Equal(fits, NodeFit.Reasons(pod, CpuNode(), []).Count == 0);
    }

    [Fact]
    public void ResourceFit_CountsWhatIsAlreadyBound()
    {
        var node = GpuNode("gpu-node-1");
        var bound = Pod("nvidia.com/gpu=1", "", tolerations: [GpuToleration], node: "gpu-node-1");
        var pod = Pod("", "nvidia.com/gpu=2", tolerations: [GpuToleration]);

        Assert.Equal(["Insufficient nvidia.com/gpu"], NodeFit.Reasons(pod, node, [bound]));
        bound.Status = new V1PodStatus { Phase = "Succeeded" };
        Assert.Empty(NodeFit.Reasons(pod, node, [bound]));
    }

    [Theory]
    [InlineData("nvidia.com/gpu", "Exists", null, "NoSchedule", true)]
    [InlineData("nvidia.com/gpu", "Equal", "present", "NoSchedule", true)]
    [InlineData("nvidia.com/gpu", "Equal", "absent", "NoSchedule", false)]
    [InlineData("nvidia.com/gpu", "Exists", null, "NoExecute", false)]
    [InlineData("nvidia.com/gpu", "Exists", null, null, true)]   // no effect: every effect
    [InlineData(null, "Exists", null, null, true)]               // no key with Exists: every taint
    [InlineData("other", "Exists", null, "NoSchedule", false)]
    public void Tolerations_MatchTheGpuTaint(string? key, string op, string? value, string? effect, bool tolerated)
    {
        var pod = Pod("", "", tolerations: [new V1Toleration { Key = key, OperatorProperty = op, Value = value, Effect = effect }]);
        Assert.Equal(tolerated, NodeFit.UntoleratedTaint(pod, GpuNode("gpu-node-1")) is null);
    }

    [Fact]
    public void PreferNoScheduleTaint_NeverFilters()
    {
        var node = CpuNode();
        node.Spec.Taints = [new V1Taint { Key = "spot", Value = "true", Effect = "PreferNoSchedule" }];
        Assert.Empty(NodeFit.Reasons(Pod("", ""), node, []));
    }

    [Theory]
    [InlineData("In", "NVIDIA-H200-SIMULATED", true)]
    [InlineData("In", "A100", false)]
    [InlineData("NotIn", "A100", true)]
    [InlineData("NotIn", "NVIDIA-H200-SIMULATED", false)]
    [InlineData("Exists", null, true)]
    [InlineData("DoesNotExist", null, false)]
    public void RequiredNodeAffinity_Operators(string op, string? value, bool matches)
    {
        var requirement = new V1NodeSelectorRequirement { Key = "nvidia.com/gpu.product", OperatorProperty = op, Values = value is null ? null : [value] };
        var pod = Pod("", "", tolerations: [GpuToleration], affinity: requirement);
        Assert.Equal(matches, NodeFit.MatchesNodeSelectorAndAffinity(pod, GpuNode("gpu-node-1")));
    }

    [Theory]
    [InlineData("Gt", "1", true)]
    [InlineData("Gt", "2", false)]
    [InlineData("Lt", "3", true)]
    [InlineData("Lt", "2", false)]
    public void RequiredNodeAffinity_GtLtCompareIntegers(string op, string limit, bool matches)
    {
        var node = GpuNode("gpu-node-1");
        node.Metadata.Labels["nvidia.com/gpu.count"] = "2";
        var pod = Pod("", "", tolerations: [GpuToleration], affinity: new V1NodeSelectorRequirement { Key = "nvidia.com/gpu.count", OperatorProperty = op, Values = [limit] });
        Assert.Equal(matches, NodeFit.MatchesNodeSelectorAndAffinity(pod, node));
    }

    [Fact]
    public void NodeSelector_MustMatchEveryLabel()
    {
        var pod = Pod("", "", tolerations: [GpuToleration]);
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true" };
        Assert.Equal(["node(s) didn't match Pod's node affinity/selector"], NodeFit.Reasons(pod, CpuNode(), []));
        Assert.Empty(NodeFit.Reasons(pod, GpuNode("gpu-node-1"), []));
    }

    [Fact]
    public void Unschedulable_MessageWordedAsKubeScheduler()
    {
        var placement = PodPlacement.Choose(Pod("", "nvidia.com/gpu=1"), Nodes(), []);

        Assert.Null(placement.Node);
        Assert.Equal("0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint {nvidia.com/gpu: present}.", placement.Message);
    }

    [Fact]
    public void Unschedulable_WhenTheGpusAreTaken()
    {
        var taken = new[] { "gpu-node-1", "gpu-node-2" }.Select(n => Pod("nvidia.com/gpu=2", "", tolerations: [GpuToleration], node: n)).ToList();

        var placement = PodPlacement.Choose(Pod("nvidia.com/gpu=1", "", tolerations: [GpuToleration]), Nodes(), taken);

        Assert.Equal("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.", placement.Message);
    }

    [Fact]
    public void GpuPod_WithTheToleration_GoesToAGpuNode()
    {
        var placement = PodPlacement.Choose(Pod("nvidia.com/gpu=1", "", tolerations: [GpuToleration]), Nodes(), []);
        Assert.StartsWith("gpu-node-", placement.Node);
    }

    [Fact]
    public void ReplicasOfOneOwner_SpreadAcrossNodes()
    {
        var bound = new List<V1Pod>();
        for (var i = 0; i < 4; i++)
        {
            var pod = Pod("nvidia.com/gpu=1", "", tolerations: [GpuToleration], owner: "rs-1");
            var placement = PodPlacement.Choose(pod, Nodes(), bound);
            pod.Spec.NodeName = placement.Node;
            bound.Add(pod);
        }

        Assert.Equal(2, bound.Count(p => p.Spec.NodeName == "gpu-node-1"));
        Assert.Equal(2, bound.Count(p => p.Spec.NodeName == "gpu-node-2"));
    }

    [Fact]
    public void NoNodes_SaysSo()
    {
        Assert.Equal("no nodes available to schedule pods", PodPlacement.Choose(Pod("", ""), [], []).Message);
    }

    private static List<V1Node> Nodes() => [GpuNode("gpu-node-1"), GpuNode("gpu-node-2"), CpuNode()];

    private static V1Node GpuNode(string name) => Node(NodeConfig.Defaults().First(n => n.Name == name));

    private static V1Node CpuNode() => Node(NodeConfig.Defaults().First(n => n.Name == "cpu-node-1"));

    private static V1Node Node(NodeConfig config)
    {
        var node = ModelOperator.DevCluster.Nodes.NodeObjects.From(config);
        node.Status = ModelOperator.DevCluster.Nodes.NodeObjects.Status(config, DateTime.UtcNow, DateTime.UtcNow, "127.0.0.2");
        return node;
    }

    private static V1Pod Pod(string requests, string limits, List<V1Toleration>? tolerations = null, string? node = null,
        V1NodeSelectorRequirement? affinity = null, string? owner = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "p-" + Guid.NewGuid().ToString("N")[..6], NamespaceProperty = "default",
            OwnerReferences = owner is null ? null : [new V1OwnerReference { Uid = owner, Controller = true, Kind = "ReplicaSet", Name = owner, ApiVersion = "apps/v1" }],
        },
        Spec = new V1PodSpec
        {
            NodeName = node, Tolerations = tolerations,
            Affinity = affinity is null ? null : new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [affinity] }] },
                },
            },
            Containers = [new V1Container
            {
                Name = "c", Image = "x",
                Resources = new V1ResourceRequirements { Requests = Quantities(requests), Limits = Quantities(limits) },
            }],
        },
    };

    private static Dictionary<string, ResourceQuantity>? Quantities(string text) => text.Length == 0 ? null
        : text.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => new ResourceQuantity(p[1]));
}
