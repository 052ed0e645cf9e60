using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.ScaleToZero;

/// <summary>
/// Measures a cold start from what the cluster recorded, free of I/O: the demand's moment, and the first admitted pod
/// of the revision's condition timestamps (PodScheduled, the container's start, ContainersReady, Ready). Every part is
/// clamped at zero, since the conditions have second precision and the demand millisecond precision.
/// </summary>
public static class ColdStartClock
{
    /// <summary>The cold start that <paramref name="requestedAt"/> began, once a pod of <paramref name="revision"/> is Ready; null before.</summary>
    public static ColdStartRecord? Measure(DateTimeOffset requestedAt, string revision, IEnumerable<V1Pod> pods)
    {
        var requested = requestedAt.UtcDateTime;
        var admitted = pods
            .Where(p => p.Metadata.Labels is { } l && l.TryGetValue(WellKnown.RevisionLabel, out var r) && r == revision && p.Metadata.DeletionTimestamp is null)
            .Select(p => (Pod: p, Ready: Transition(p, "Ready", "True")))
            .Where(x => x.Ready is { } t && t >= requested.AddSeconds(-1))
            .OrderBy(x => x.Ready).FirstOrDefault();
        if (admitted.Pod is null) return null;
        var pod = admitted.Pod;
        var ready = admitted.Ready!.Value;
        var scheduled = Transition(pod, "PodScheduled", "True");
        var started = pod.Status?.ContainerStatuses?.Select(c => c.State?.Running?.StartedAt).Where(t => t is not null).Min();
        var containersReady = Transition(pod, "ContainersReady", "True");
        return new ColdStartRecord
        {
            Revision = revision,
            RequestedAt = requested,
            AdmittedAt = ready,
            Seconds = Seconds(requested, ready),
            ScheduleSeconds = Seconds(requested, scheduled),
            PullSeconds = Seconds(scheduled, started),
            LoadAndBenchmarkSeconds = Seconds(started, containersReady),
            AdmissionSeconds = Seconds(containersReady, ready),
        };
    }

    private static DateTime? Transition(V1Pod pod, string type, string status) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == status)?.LastTransitionTime is { } t
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;

    private static double? Seconds(DateTime? from, DateTime? to) =>
        from is { } f && to is { } t ? Math.Round(Math.Max(0, (t - f).TotalSeconds), 3) : null;
}
