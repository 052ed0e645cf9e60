using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>
/// Keeps <c>status.modelSources</c>: one entry per running pod of a live revision, saying whether it got its model from
/// the node cache and how many bytes it pulled. Entries of pods that are gone are dropped.
/// </summary>
public static class ModelSourceRecords
{
    /// <summary>At most this many entries, so a model with many pods keeps a small status.</summary>
    public const int MaxEntries = 50;

    /// <summary>The merged list, ordered by pod name so an unchanged set writes nothing; null when no pod reported.</summary>
    public static List<ModelSourceRecord>? Merge(List<ModelSourceRecord>? existing, IEnumerable<PodVerdict> verdicts,
        IReadOnlySet<string> livePods, IReadOnlySet<string> liveRevisions)
    {
        var byPod = new SortedDictionary<string, ModelSourceRecord>(StringComparer.Ordinal);
        foreach (var e in existing ?? [])
            if (e.Pod is { } pod && livePods.Contains(pod) && e.Revision is { } r && liveRevisions.Contains(r)) byPod[pod] = e;
        foreach (var v in verdicts)
            if (v.ModelSource is { } source && liveRevisions.Contains(v.Revision) && livePods.Contains(v.Pod))
                byPod[v.Pod] = new ModelSourceRecord
                {
                    Pod = v.Pod, Revision = v.Revision, Node = v.Node, Cache = source.Cache, BytesPulled = source.BytesPulled, Reason = source.Reason,
                    Startup = source.Startup,
                };
        return byPod.Count == 0 ? null : byPod.Values.Take(MaxEntries).ToList();
    }
}
