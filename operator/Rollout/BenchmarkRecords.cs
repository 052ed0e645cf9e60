using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>
/// Keeps <c>status.benchmarks</c>: one entry per revision, node and batch size. A newer measurement of the same
/// revision on the same node replaces the older; entries of revisions no longer deployed are dropped.
/// </summary>
public static class BenchmarkRecords
{
    /// <summary>The merged list, ordered by revision, node and batch size so an unchanged set writes nothing.</summary>
    public static List<BenchmarkResult>? Merge(List<BenchmarkResult>? existing, IEnumerable<PodVerdict> verdicts, IReadOnlySet<string> liveRevisions)
    {
        var byKey = new Dictionary<(string, string, int), BenchmarkResult>();
        foreach (var b in existing ?? [])
            if (b.Revision is { } r && liveRevisions.Contains(r)) byKey[(r, b.Node ?? "", b.BatchSize ?? 0)] = b;
        foreach (var v in verdicts.OrderBy(v => v.Pod, StringComparer.Ordinal))
        {
            if (!liveRevisions.Contains(v.Revision) || v.Results.Count == 0) continue;
            foreach (var stale in byKey.Keys.Where(k => k.Item1 == v.Revision && k.Item2 == v.Node).ToList()) byKey.Remove(stale);
            foreach (var r in v.Results)
                byKey[(v.Revision, v.Node, r.BatchSize ?? 0)] = new BenchmarkResult
                {
                    Revision = v.Revision, Pod = v.Pod, Node = v.Node, Device = r.Device, Provider = r.Provider, BatchSize = r.BatchSize,
                    P50Ms = r.P50Ms, P95Ms = r.P95Ms, P99Ms = r.P99Ms, Throughput = r.Throughput, InputShapes = v.InputShapes ?? r.InputShapes,
                };
        }
        return byKey.Count == 0 ? null : byKey.OrderBy(p => p.Key.Item1, StringComparer.Ordinal).ThenBy(p => p.Key.Item2, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Item3).Select(p => p.Value).ToList();
    }
}
