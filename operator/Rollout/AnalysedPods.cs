using k8s.Models;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Rollout;

/// <summary>
/// The pods of a revision that the canary analysis scrapes and measures: every running pod the operator admitted,
/// whether or not it is Ready at this moment. Two cases cost whole intervals when only Ready pods counted: a pod
/// admitted in this very reconcile (its Ready condition follows later) laid no baseline before its first traffic, so
/// its first interval had a single scrape and was inconclusive; and a busy pod whose readiness probe timed out for a
/// moment lost its history and served traffic that no interval counted.
/// </summary>
public static class AnalysedPods
{
    /// <summary>
    /// The pods of <paramref name="revision"/> that are not being deleted, have an IP, and are admitted: by this
    /// reconcile's verdict in <paramref name="verdicts"/> where there is one (it may not be on the pod yet), else by
    /// the pod's admission condition. Ordered by name.
    /// </summary>
    public static IReadOnlyList<V1Pod> Of(IReadOnlyList<V1Pod> pods, IReadOnlyList<PodVerdict> verdicts, string revision)
    {
        var decided = new Dictionary<string, bool?>(StringComparer.Ordinal);
        foreach (var v in verdicts.Where(v => v.Revision == revision)) decided[v.Pod] = v.Decision.Admitted;
        return pods
            .Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.PodIP is not null
                && p.Metadata.Labels?.TryGetValue(WellKnown.RevisionLabel, out var r) == true && r == revision
                && (decided.TryGetValue(p.Metadata.Name, out var admitted)
                    ? admitted == true
                    : p.Status.Conditions?.Any(c => c.Type == WellKnown.AdmittedCondition && c.Status == "True") == true))
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .ToList();
    }
}
