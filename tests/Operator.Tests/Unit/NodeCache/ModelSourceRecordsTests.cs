using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.NodeCache;

/// <summary><c>status.modelSources</c>: one line per running pod saying whether it hit the node cache and what it pulled.</summary>
public sealed class ModelSourceRecordsTests
{
    private static PodVerdict Verdict(string pod, string cache, long bytes, string revision = "r1", string node = "gpu-1") =>
        new(pod, revision, node, new AdmissionDecision(true, AdmissionDecision.Passed, "ok"), [], ModelSource: new ModelSourceRecord { Cache = cache, BytesPulled = bytes });

    [Fact]
    public void EachPod_GetsItsOwnLine_OrderedByPod()
    {
        var merged = ModelSourceRecords.Merge(null, [Verdict("m-b", "hit", 0), Verdict("m-a", "miss", 5000)], new HashSet<string> { "m-a", "m-b" }, new HashSet<string> { "r1" });

        Assert.Equal([("m-a", "miss", 5000L), ("m-b", "hit", 0L)], merged!.Select(m => (m.Pod!, m.Cache!, m.BytesPulled!.Value)));
        Assert.All(merged!, m => Assert.Equal(("r1", "gpu-1"), (m.Revision, m.Node)));
    }

    [Fact]
    public void PodsThatAreGone_AndOldRevisions_AreDropped_OthersKept()
    {
        var existing = ModelSourceRecords.Merge(null, [Verdict("m-a", "miss", 5000), Verdict("m-old", "miss", 5000, revision: "r0"), Verdict("m-gone", "hit", 0)],
            new HashSet<string> { "m-a", "m-old", "m-gone" }, new HashSet<string> { "r0", "r1" });

        var merged = ModelSourceRecords.Merge(existing, [], new HashSet<string> { "m-a", "m-old" }, new HashSet<string> { "r1" });

        Assert.Equal(["m-a"], merged!.Select(m => m.Pod));
    }

    [Fact]
    public void NoPodReported_IsNoField()
    {
        Assert.Null(ModelSourceRecords.Merge(null, [], new HashSet<string>(), new HashSet<string> { "r1" }));
    }
}
