using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit.NodeCache;

/// <summary>What <c>spec.model.cache.node</c> (or the chart's default) does to a model's pods: the node's directory mounted, the runtime told.</summary>
public sealed class NodeCachePodTests
{
    private static readonly NodeCacheSettings Chart = new("/var/lib/models", ByDefault: false, MaxBytes: 10L << 30);

    private static V1PodSpec Pod(Action<ModelDeploymentSpec> edit, NodeCacheSettings? cache = null) =>
        DesiredDeployment.Build(Samples.Model(edit: edit), "abc1234567", new OperatorSettings("registry.local/model-runtime:test", cache ?? Chart)).Spec.Template.Spec;

    [Fact]
    public void NodeCacheOn_MountsTheNodesDirectory_AndPointsTheRuntimeAtIt()
    {
        var pod = Pod(s => s.Model.Cache = new ModelCacheSpec { Node = true });
        var c = pod.Containers.Single();

        var volume = pod.Volumes.Single(v => v.HostPath is not null);
        Assert.Equal(("/var/lib/models", "DirectoryOrCreate"), (volume.HostPath.Path, volume.HostPath.Type));
        var mount = c.VolumeMounts.Single(m => m.Name == volume.Name);
        Assert.False(mount.ReadOnlyProperty == true, "the first pod on a node writes the cache");
        Assert.Equal(mount.MountPath, c.Args[c.Args.IndexOf("--model-cache-dir") + 1]);
        Assert.Equal((10L << 30).ToString(), c.Args[c.Args.IndexOf("--model-cache-max-bytes") + 1]);
    }

    [Theory]
    [InlineData(null, false, false)]
    [InlineData(null, true, true)]
    [InlineData(false, true, false)]
    [InlineData(true, false, true)]
    public void TheSpecDecides_ElseTheChartsDefault(bool? node, bool byDefault, bool mounted)
    {
        var pod = Pod(s => s.Model.Cache = node is null ? null : new ModelCacheSpec { Node = node }, Chart with { ByDefault = byDefault });

        Assert.Equal(mounted, pod.Volumes.Any(v => v.HostPath is not null));
        Assert.Equal(mounted, pod.Containers.Single().Args.Contains("--model-cache-dir"));
    }

    [Fact]
    public void ChartDefault_LeavesModelsThatAreNotOci_AsBefore()
    {
        var pod = Pod(s => s.Model.Uri = "https://models.example/m.onnx", Chart with { ByDefault = true });

        Assert.DoesNotContain(pod.Volumes, v => v.HostPath is not null);
        Assert.DoesNotContain("--model-cache-dir", pod.Containers.Single().Args);
    }

    [Fact]
    public void TurningTheNodeCacheOn_StartsANewRevision_ButTheDefaultDoesNotMoveModelsThatSetIt()
    {
        var off = RevisionHasher.Compute(Samples.Model().Spec, new OperatorSettings(NodeCache: Chart));
        var on = RevisionHasher.Compute(Samples.Model(edit: s => s.Model.Cache = new ModelCacheSpec { Node = true }).Spec, new OperatorSettings(NodeCache: Chart));
        var onWithOtherDefault = RevisionHasher.Compute(Samples.Model(edit: s => s.Model.Cache = new ModelCacheSpec { Node = true }).Spec,
            new OperatorSettings(NodeCache: Chart with { ByDefault = true }));

        Assert.NotEqual(off, on);
        Assert.Equal(on, onWithOtherDefault);
        Assert.Equal(RevisionHasher.Compute(Samples.Model().Spec, new OperatorSettings()), off);
    }

    [Fact]
    public void TurningPrefetchOnOrOff_KeepsTheRevision()
    {
        var node = RevisionHasher.Compute(Samples.Model(edit: s => s.Model.Cache = new ModelCacheSpec { Node = true }).Spec, new OperatorSettings(NodeCache: Chart));
        var prefetch = RevisionHasher.Compute(Samples.Model(edit: s => s.Model.Cache = new ModelCacheSpec { Node = true, Prefetch = true }).Spec, new OperatorSettings(NodeCache: Chart));

        Assert.Equal(node, prefetch);
    }
}
