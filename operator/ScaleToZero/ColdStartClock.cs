using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.ScaleToZero;

/// <summary>
/// Measures a cold start from what the cluster recorded, free of I/O: the demand's moment, and the first admitted pod
/// of the revision's condition timestamps (PodScheduled, the container's start, ContainersReady, Ready). The conditions
/// have second precision and the demand millisecond precision, so a condition can read earlier than the demand or than
/// the step before it: each boundary is clamped between the one before it and Ready, and every figure is rounded to a
/// tenth of a second from those boundaries, so the parts never go below zero and always sum to the total (a part of
/// 0.4 s may really be up to a second longer, at the next part's expense). The pod's own report (its
/// <c>status.modelSources</c> entry) splits the load-and-benchmark part by the runtime's millisecond clock.
/// </summary>
public static class ColdStartClock
{
    /// <summary>The cold start that <paramref name="requestedAt"/> began, once a pod of <paramref name="revision"/> is Ready; null before.</summary>
    public static ColdStartRecord? Measure(DateTimeOffset requestedAt, string revision, IEnumerable<V1Pod> pods, IEnumerable<ModelSourceRecord>? sources = null)
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
        var scheduled = Clamp(Transition(pod, "PodScheduled", "True"), requested, ready);
        var started = Clamp(pod.Status?.ContainerStatuses?.Select(c => c.State?.Running?.StartedAt).Where(t => t is not null).Min() is { } s
            ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : null, scheduled ?? requested, ready);
        var containersReady = Clamp(Transition(pod, "ContainersReady", "True"), started ?? scheduled ?? requested, ready);
        var own = sources?.FirstOrDefault(s => s.Pod == pod.Metadata.Name)?.Startup;
        return new ColdStartRecord
        {
            Revision = revision,
            RequestedAt = requested,
            AdmittedAt = ready,
            Seconds = Part(requested, requested, ready),
            ScheduleSeconds = Part(requested, requested, scheduled),
            PullSeconds = Part(requested, scheduled, started),
            LoadAndBenchmarkSeconds = Part(requested, started, containersReady),
            AdmissionSeconds = Part(requested, containersReady, ready),
            ProcessSeconds = Tenth(own?.ProcessSeconds),
            FetchSeconds = Tenth(own?.FetchSeconds),
            LoadSeconds = Tenth(own?.LoadSeconds),
            BenchmarkSeconds = Tenth(own?.BenchmarkSeconds),
        };
    }

    private static double? Tenth(double? seconds) => seconds is { } s ? Math.Round(Math.Max(0, s), 1, MidpointRounding.AwayFromZero) : null;

    private static DateTime? Transition(V1Pod pod, string type, string status) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == status)?.LastTransitionTime is { } t
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;

    private static DateTime? Clamp(DateTime? at, DateTime earliest, DateTime latest) =>
        at is { } t ? (t < earliest ? earliest : t > latest ? latest : t) : null;

    // Each boundary's offset from the demand is rounded to 0.1 s before subtracting, so rounded parts add up exactly.
    private static double? Part(DateTime origin, DateTime? from, DateTime? to) =>
        from is { } f && to is { } t ? Math.Round(Math.Max(0, Tenths(origin, t) - Tenths(origin, f)), 1) : null;

    private static double Tenths(DateTime origin, DateTime at) => Math.Round((at - origin).TotalSeconds, 1, MidpointRounding.AwayFromZero);
}
