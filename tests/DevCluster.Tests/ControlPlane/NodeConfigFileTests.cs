using ModelOperator.DevCluster.Nodes;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

public sealed class NodeConfigFileTests
{
    [Fact]
    public void Parse_ReadsNodesWithDefaults()
    {
        var nodes = NodeConfigFile.Parse("""
            nodes:
              - name: big-gpu
                labels: {nvidia.com/gpu.present: "true"}
                taints: ["nvidia.com/gpu=present:NoSchedule"]
                capacity: {cpu: "32", memory: 128Gi, nvidia.com/gpu: "8"}
            """);

        var node = Assert.Single(nodes);
        Assert.Equal("8", node.Capacity["nvidia.com/gpu"]);
        Assert.Equal("110", node.Capacity["pods"]);
        Assert.Equal("big-gpu", node.Labels["kubernetes.io/hostname"]);
        Assert.Equal(["nvidia.com/gpu=present:NoSchedule"], node.Taints);
    }

    [Theory]
    [InlineData("nodes: []", "no nodes")]
    [InlineData("nodes: [{name: a}, {name: a}]", "node \"a\" appears twice")]
    [InlineData("nodes: [{name: a, taints: [\"x=y:Sometimes\"]}]", "effect \"Sometimes\"")]
    [InlineData("nodes: [{name: a, capacity: {cpu: lots}}]", "capacity cpu=\"lots\" is not a quantity")]
    [InlineData("nodes: [{labels: {}}]", "a node has no name")]
    public void Parse_RefusesBadInput_NamingTheProblem(string yaml, string problem)
    {
        var error = Assert.Throws<FormatException>(() => NodeConfigFile.Parse(yaml));
        Assert.Contains(problem, error.Message);
    }
}
