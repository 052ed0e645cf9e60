using System.Globalization;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.ScaleToZero;

/// <summary>
/// What the planner reports for a model that scales to zero, free of I/O: at zero it is Ready (it serves on demand,
/// so GitOps health does not flap); while a held request wakes it, Ready stays True (ColdStarting) until
/// coldStartTimeout passes without an admitted pod, when it turns False (ColdStartTimedOut, with the failing pod's
/// reason when there is one), the moment the activator starts answering 503.
/// </summary>
public static class ScaleToZeroStatus
{
    /// <summary>Reason of Ready while a held request wakes the model.</summary>
    public const string ColdStarting = "ColdStarting";

    /// <summary>Reason of Ready (False) and Degraded once a cold start outlived coldStartTimeout.</summary>
    public const string ColdStartTimedOut = "ColdStartTimedOut";

    /// <summary>The spec's cold start timeout (2m by default).</summary>
    public static TimeSpan ColdStartTimeout(ScaleToZeroSpec spec) =>
        Durations.TryParse(spec.ColdStartTimeout) ?? Durations.TryParse(ScaleToZeroSpec.DefaultColdStartTimeout)!.Value;

    /// <summary>The model's revision runs no pods and serves on demand.</summary>
    public static void AtZero(ModelDeploymentStatus status, ScaleToZeroSpec spec, string revision, long? generation, DateTime now)
    {
        status.Phase = Phases.ScaledToZero;
        ConditionSet.Set(status.Conditions!, ConditionSet.Ready, true, Phases.ScaledToZero,
            $"Revision {revision} serves on demand: it runs no pods after {spec.IdleAfter} without requests, and the next request wakes it", generation, now);
        ConditionSet.Set(status.Conditions!, ConditionSet.Progressing, false, Phases.ScaledToZero, $"Revision {revision} is scaled to zero", generation, now);
    }

    /// <summary>
    /// The stable revision of a model that scales to zero runs no pods, so a new revision has nothing to canary
    /// against: it replaces the stable one at once, at zero (the next cold start brings it up, through the benchmark
    /// gate and signature guard as always).
    /// </summary>
    public static bool StableAtZero(ModelDeployment md, V1Deployment stable) =>
        md.Spec.Autoscaling?.ScaleToZero is not null && (stable.Spec?.Replicas ?? 0) == 0 && (stable.Status?.ReadyReplicas ?? 0) == 0;

    /// <summary>The demand waking the stable revision from zero, while none of its pods is ready; null otherwise.</summary>
    public static DateTimeOffset? Waking(ModelDeployment md, string? previousStable, string revision, int ready) =>
        ready == 0 && previousStable == revision ? Demand.SinceLastScale(md) : null;

    /// <summary>
    /// Status while a request wakes the model; returns when to look again (the timeout), or null once it passed.
    /// </summary>
    public static TimeSpan? Wake(ModelDeploymentStatus status, ScaleToZeroSpec spec, string revision, DateTimeOffset requestedAt, PodFailure? failure,
        int replicas, long? generation, DateTime now)
    {
        var timeout = ColdStartTimeout(spec);
        var waited = now - requestedAt.UtcDateTime;
        if (waited < timeout)
        {
            status.Phase = Phases.ScaledToZero;
            ConditionSet.Set(status.Conditions!, ConditionSet.Ready, true, ColdStarting,
                $"Revision {revision} is waking for a request held since {Demand.Value(requestedAt)}: 0/{replicas} replicas ready"
                + (failure is null ? "" : $"; pod {failure.Pod}: {failure.Reason}"), generation, now);
            ConditionSet.Set(status.Conditions!, ConditionSet.Progressing, true, ColdStarting, $"Waking revision {revision}: 0/{replicas} replicas ready", generation, now);
            return timeout - waited + TimeSpan.FromSeconds(1);
        }
        var why = failure is null ? "no pod became ready" : failure.Message;
        var message = $"Revision {revision} was woken by a request at {Demand.Value(requestedAt)} and had no admitted pod within scaleToZero.coldStartTimeout "
            + $"{Durations.Format(timeout)} ({why}); the activator answers its requests 503 with Retry-After";
        status.Phase = Phases.Failed;
        ConditionSet.Set(status.Conditions!, ConditionSet.Ready, false, ColdStartTimedOut, message, generation, now);
        ConditionSet.Set(status.Conditions!, ConditionSet.Progressing, true, ColdStartTimedOut, $"Waking revision {revision}: 0/{replicas} replicas ready", generation, now);
        return null;
    }

    /// <summary>A cold start that timed out without a failing pod to name is Degraded for the same reason.</summary>
    public static void DegradeOnTimeout(ModelDeploymentStatus status, long? generation, DateTime now)
    {
        if (ConditionSet.Find(status, ConditionSet.Ready) is { Reason: ColdStartTimedOut } ready)
            ConditionSet.Set(status.Conditions!, ConditionSet.Degraded, true, ColdStartTimedOut, ready.Message, generation, now);
    }

    /// <summary>
    /// Records in status.coldStart the cold start the current demand began, once a pod of the revision is admitted;
    /// returns the Event announcing it, or null when there is nothing new.
    /// </summary>
    public static RolloutEvent? Record(ModelDeployment md, ModelDeploymentStatus status, string revision, IEnumerable<V1Pod> pods)
    {
        if (Demand.SinceLastScale(md) is not { } requestedAt) return null;
        var again = status.ColdStart?.RequestedAt is { } recorded && Math.Abs((recorded - requestedAt.UtcDateTime).TotalMilliseconds) < 1;
        // Recorded already: only the pod's own split may still arrive (its report comes with its admission).
        if (again && status.ColdStart!.FetchSeconds is not null) return null;
        if (ColdStartClock.Measure(requestedAt, revision, pods, status.ModelSources) is not { } record) return null;
        if (again && record.FetchSeconds is null) return null;
        status.ColdStart = record;
        if (again) return null; // the Event was sent with the first record
        return new RolloutEvent("Normal", "ColdStarted",
            $"Revision {revision} woke from zero in {Tenth(record.Seconds)} s (schedule {Tenth(record.ScheduleSeconds)} s, pull {Tenth(record.PullSeconds)} s, "
            + $"load and benchmark {Tenth(record.LoadAndBenchmarkSeconds)} s{Split(record)}, admission {Tenth(record.AdmissionSeconds)} s)");
    }

    // The pod's own split of load and benchmark, when it reported one.
    private static string Split(ColdStartRecord r) => r.FetchSeconds is null ? ""
        : $": process {Tenth(r.ProcessSeconds)} s, fetch {Tenth(r.FetchSeconds)} s, load {Tenth(r.LoadSeconds)} s, benchmark {Tenth(r.BenchmarkSeconds)} s";

    // One decimal everywhere, as ColdStartClock rounds; a part the pod did not record reads "?".
    private static string Tenth(double? seconds) => seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "?";
}
