using k8s;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Rollout;

/// <summary>What the cluster showed about a rollout this reconcile.</summary>
/// <param name="StableReplicas">The stable revision's desired replicas (the autoscaler's count, clamped).</param>
/// <param name="ReadyStable">Admitted, ready pods of the stable revision.</param>
/// <param name="ReadyCanary">Admitted, ready pods of the canary.</param>
/// <param name="Rejection">A canary pod's refused admission (gate or guard), if any.</param>
/// <param name="Check">The analysis of the interval that just ended, when one was due and could be measured.</param>
/// <param name="CanaryFailure">A canary pod the kubelet cannot keep running (crash loop, image pull), if any.</param>
/// <param name="Shadow">During a shadow phase, what the stable pods' mirroring counted over the interval just checked.</param>
public sealed record RolloutObservation(int StableReplicas, int ReadyStable, int ReadyCanary, AdmissionDecision? Rejection, IntervalVerdict? Check,
    PodFailure? CanaryFailure = null, PodMetrics.ShadowMeasurement? Shadow = null);

/// <summary>What the stepper decided.</summary>
public enum RolloutAction
{
    /// <summary>Hold the current step.</summary>
    Wait,
    /// <summary>Moved to the next step.</summary>
    Advance,
    /// <summary>The last step passed: the canary grows to full size and becomes stable once ready.</summary>
    Promoting,
    /// <summary>The canary is stable; the old revision may go.</summary>
    Promoted,
    /// <summary>The canary failed and was scaled to zero.</summary>
    RolledBack,
    /// <summary>The canary failed and <c>autoRollback</c> is false: held in place for a person.</summary>
    Halted,
    /// <summary>The revision failed before and the spec has not changed since: not tried again.</summary>
    Blocked,
}

/// <summary>An Event to record on the ModelDeployment.</summary>
public sealed record RolloutEvent(string Type, string Reason, string Message);

/// <summary>The stepper's answer: the action, the canary's size, the new status and when to look again.</summary>
public sealed record RolloutDecision(RolloutAction Action, int CanaryReplicas, ModelDeploymentStatus Status, IReadOnlyList<RolloutEvent> Events, TimeSpan? RequeueAfter);

/// <summary>
/// A Flagger-like pure step function from (spec, status, observation, now) to (decision, new status). Every piece of
/// rollout state lives in status, so an operator restarted mid-rollout continues at the same step with the same counts.
/// A shadow phase (spec.rollout.shadow) comes first when the spec has one (RolloutStepper.Shadow.cs).
/// </summary>
public static partial class RolloutStepper
{
    /// <summary>The default <c>analysis.interval</c>.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    /// <summary>The default <c>analysis.progressDeadline</c>.</summary>
    public static readonly TimeSpan DefaultProgressDeadline = TimeSpan.FromMinutes(10);
    /// <summary>Condition type set while a revision is rolled back.</summary>
    public const string RolledBackCondition = "RolledBack";

    /// <summary>The analysis interval of the spec.</summary>
    public static TimeSpan Interval(ModelDeploymentSpec spec) => Durations.TryParse(spec.Rollout?.Analysis?.Interval) ?? DefaultInterval;

    /// <summary>True when the canary is live and an interval has passed since the last check (or since its step began).</summary>
    public static bool CheckDue(ModelDeploymentSpec spec, ModelDeploymentStatus? status, DateTime now) =>
        status is { CanaryRevision: not null, StepStartTime: { } start } && spec.Rollout?.Analysis is not null
        && now - (status.LastCheckTime is { } last && last > start ? last : start) >= Interval(spec);

    /// <summary>Steps the rollout of <paramref name="revision"/> against the stable revision in <paramref name="status"/>.</summary>
    public static RolloutDecision Step(ModelDeploymentSpec spec, long? generation, string revision, ModelDeploymentStatus? status, RolloutObservation seen, DateTime now)
    {
        var s = Clone(status);
        s.Conditions ??= [];
        var events = new List<RolloutEvent>();
        var max = Math.Max(spec.Replicas?.Max ?? 1, spec.Replicas?.Min ?? 1);

        if (s.FailedRevision == revision && s.FailedGeneration == generation)
        {
            var halted = s.History?.LastOrDefault(h => h.Revision == revision)?.Outcome == "Halted";
            var keep = halted ? s.CanaryReplicas ?? 0 : 0;
            s.CanaryReplicas = keep;
            s.CanaryWeight = CanarySizing.AchievedWeight(halted ? seen.ReadyCanary : 0, seen.ReadyStable);
            return new RolloutDecision(RolloutAction.Blocked, keep, s, events, null);
        }

        if (s.CanaryRevision != revision || s.FailedRevision == revision) // new, or failed before and the spec changed since
        {
            s.CanaryRevision = revision;
            s.CurrentStep = 0;
            s.StepStartTime = null;
            s.LastCheckTime = null;
            s.LastAnalysis = null;
            s.LastProgressTime = now;
            s.FailedChecks = 0;
            s.FailedRevision = null;
            s.FailedGeneration = null;
            ConditionSet.Set(s.Conditions, RolledBackCondition, false, "NewRevision", $"Revision {revision} is rolling out", generation, now);
            StartShadow(spec, revision, s, events);
            if (s.Shadow is null) events.Add(new RolloutEvent("Normal", "CanaryStarted", $"Revision {revision} started as canary beside stable {s.StableRevision}"));
        }

        var steps = spec.Rollout?.Steps ?? [];
        var step = s.CurrentStep ?? 0;
        var deadline = Durations.TryParse(spec.Rollout?.Analysis?.ProgressDeadline) ?? DefaultProgressDeadline;

        if (seen.Rejection is { Admitted: false } rejection)
            return Fail(spec, generation, revision, s, events, seen, rejection.Reason, rejection.Message, now);

        if (ShadowRunning(s, revision) && spec.Rollout?.Shadow is null)
        {
            s.Shadow = null;
            events.Add(new RolloutEvent("Normal", "ShadowRemoved", $"spec.rollout.shadow was removed: revision {revision} goes on as a canary"));
        }
        else if (ShadowRunning(s, revision))
        {
            if (StepShadow(spec, generation, revision, s, events, seen, max, deadline, now) is { } inShadow) return inShadow;
            seen = seen with { Check = null }; // the shadow phase passed on this check: it does not count for the first step too
        }

        if (seen.ReadyCanary > 0 && s.StepStartTime is null) s.StepStartTime = now; // the step's clock starts with its first traffic

        if (seen.Check is { } check)
        {
            s.LastCheckTime = now;
            s.LastAnalysis = Record(check, now);
            if (check.Result == CheckResult.Failed) s.FailedChecks = (s.FailedChecks ?? 0) + 1;
            if (check.Result != CheckResult.Inconclusive) s.LastProgressTime = now;
            var limit = spec.Rollout?.Analysis?.FailureLimit ?? 3;
            // Every interval's verdict is an Event of its own, with where the count stands, so `kubectl describe`
            // shows how the time to a decision was spent (an inconclusive interval says why it counted neither way).
            events.Add(new RolloutEvent(check.Result == CheckResult.Failed ? "Warning" : "Normal", "Analysis" + check.Result,
                $"{check.Message} [failed checks {s.FailedChecks ?? 0} of failureLimit {limit}]"));
            if (s.FailedChecks >= limit)
                return Fail(spec, generation, revision, s, events, seen, "AnalysisFailed",
                    $"{s.FailedChecks} failed checks reached failureLimit {limit}; last: {check.Message}", now);
        }

        if (now - (s.LastProgressTime ?? now) > deadline && step < steps.Count)
            return Fail(spec, generation, revision, s, events, seen, "ProgressDeadlineExceeded",
                $"No conclusive check for {Durations.Format(now - s.LastProgressTime!.Value)}, past progressDeadline {Durations.Format(deadline)}"
                + (seen.CanaryFailure is { } f ? $"; {f.Message}" : s.LastAnalysis?.Message is { } m ? $"; last: {m}" : seen.ReadyCanary == 0 ? "; no canary pod became ready" : ""), now);

        var action = RolloutAction.Wait;
        if (step < steps.Count && StepDone(spec, s, steps[step], now))
        {
            step++;
            s.CurrentStep = step;
            s.StepStartTime = step < steps.Count ? now : s.StepStartTime;
            s.LastProgressTime = now;
            action = step < steps.Count ? RolloutAction.Advance : RolloutAction.Promoting;
            events.Add(step < steps.Count
                ? new RolloutEvent("Normal", "StepAdvanced", $"Canary {revision} advanced to step {step + 1}/{steps.Count} (weight {steps[step].Weight}%)")
                : new RolloutEvent("Normal", "Promoting", $"Canary {revision} passed its last step; growing to {seen.StableReplicas} replicas"));
        }

        int canaryReplicas;
        if (step >= steps.Count)
        {
            canaryReplicas = Math.Max(1, seen.StableReplicas);
            if (seen.ReadyCanary >= canaryReplicas) return Promote(revision, s, events, canaryReplicas, generation, now);
            if (action == RolloutAction.Wait) action = RolloutAction.Promoting;
        }
        else canaryReplicas = CanarySizing.Replicas(steps[step].Weight, seen.StableReplicas, max);

        s.CanaryReplicas = canaryReplicas;
        s.CanaryWeight = CanarySizing.AchievedWeight(seen.ReadyCanary, seen.ReadyStable);
        s.Phase = Phases.Progressing;
        var where = step < steps.Count ? $"step {step + 1}/{steps.Count} (weight {steps[step].Weight}%)" : "promotion";
        ConditionSet.Set(s.Conditions, ConditionSet.Progressing, true, "CanaryProgressing",
            $"Canary {revision} at {where}: {seen.ReadyCanary}/{canaryReplicas} ready, admitted share {s.CanaryWeight}%, failed checks {s.FailedChecks ?? 0}", generation, now);
        return new RolloutDecision(action, canaryReplicas, s, events, NextLook(spec, s, steps, step, deadline, now));
    }

    private static bool StepDone(ModelDeploymentSpec spec, ModelDeploymentStatus s, RolloutStep step, DateTime now)
    {
        if (s.StepStartTime is not { } start) return false;
        if (now - start < (Durations.TryParse(step.Pause) ?? TimeSpan.Zero)) return false;
        // With analysis configured, every step needs a passed check of its own: the check that advanced the previous
        // step carries the same instant as this step's start and must not count for it.
        return spec.Rollout?.Analysis is null || s.LastAnalysis is { Result: "Passed", Time: { } t } && t > start;
    }

    // The soonest of: the progress deadline, the next analysis check (overdue counts as now: the analyser's clock may
    // have said "not yet" a moment before this one passed the interval), and the end of a pause still running.
    private static TimeSpan? NextLook(ModelDeploymentSpec spec, ModelDeploymentStatus s, List<RolloutStep> steps, int step, TimeSpan deadline, DateTime now)
    {
        var next = deadline - (now - (s.LastProgressTime ?? now));
        if (s.StepStartTime is { } start)
        {
            if (spec.Rollout?.Analysis is not null)
                next = Min(next, Interval(spec) - (now - (s.LastCheckTime is { } last && last > start ? last : start)));
            if (step < steps.Count && Durations.TryParse(steps[step].Pause) is { } pause && pause - (now - start) is var left && left > TimeSpan.Zero)
                next = Min(next, left);
        }
        return next < MinimumLook ? MinimumLook : next;
    }

    private static readonly TimeSpan MinimumLook = TimeSpan.FromSeconds(1);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static RolloutDecision Promote(string revision, ModelDeploymentStatus s, List<RolloutEvent> events, int replicas, long? generation, DateTime now)
    {
        var previous = s.StableRevision;
        s.StableRevision = revision;
        s.CanaryRevision = null;
        s.CanaryWeight = null;
        s.CanaryReplicas = null;
        s.CurrentStep = null;
        s.StepStartTime = null;
        s.LastProgressTime = null;
        s.FailedChecks = 0;
        s.Phase = Phases.Serving;
        History.Record(s, revision, "Promoted", $"Promoted over {previous}", now);
        ConditionSet.Set(s.Conditions!, ConditionSet.Progressing, false, "RevisionPromoted", $"Revision {revision} was promoted and serves all traffic", generation, now);
        events.Add(new RolloutEvent("Normal", "Promoted", $"Revision {revision} promoted over {previous}"));
        return new RolloutDecision(RolloutAction.Promoted, replicas, s, events, null);
    }

    private static RolloutDecision Fail(ModelDeploymentSpec spec, long? generation, string revision, ModelDeploymentStatus s, List<RolloutEvent> events,
        RolloutObservation seen, string reason, string message, DateTime now)
    {
        s.FailedRevision = revision;
        s.FailedGeneration = generation;
        if (spec.Rollout?.AutoRollback == false)
        {
            s.Phase = Phases.Progressing;
            s.CanaryReplicas ??= 0;
            s.CanaryWeight = CanarySizing.AchievedWeight(seen.ReadyCanary, seen.ReadyStable);
            ConditionSet.Set(s.Conditions!, ConditionSet.Progressing, false, "AnalysisFailed",
                $"Rollout of {revision} stopped in place (autoRollback is false): {reason}: {message}", generation, now);
            History.Record(s, revision, "Halted", $"{reason}: {message}", now);
            events.Add(new RolloutEvent("Warning", "RolloutHalted", $"Rollout of {revision} stopped in place: {reason}: {message}"));
            return new RolloutDecision(RolloutAction.Halted, s.CanaryReplicas.Value, s, events, null);
        }
        s.Phase = Phases.RolledBack;
        s.CanaryReplicas = 0;
        s.CanaryWeight = 0;
        ConditionSet.Set(s.Conditions!, RolledBackCondition, true, reason, $"Revision {revision} rolled back to {s.StableRevision}: {message}", generation, now);
        ConditionSet.Set(s.Conditions!, ConditionSet.Progressing, false, "RolledBack", $"Revision {revision} was rolled back; change the spec to try again", generation, now);
        History.Record(s, revision, "RolledBack", $"{reason}: {message}", now);
        events.Add(new RolloutEvent("Warning", "RolledBack", $"Revision {revision} rolled back to {s.StableRevision}: {reason}: {message}"));
        return new RolloutDecision(RolloutAction.RolledBack, 0, s, events, null);
    }

    private static AnalysisRecord Record(IntervalVerdict v, DateTime now) => new()
    {
        Time = now,
        Result = v.Result.ToString(),
        CanaryP95Ms = Finite(v.Canary?.P95Ms),
        StableP95Ms = Finite(v.Stable?.P95Ms),
        CanaryErrorRate = Finite(v.Canary?.ErrorRate),
        CanaryRequests = v.Canary?.Requests,
        Message = v.Message,
    };

    private static double? Finite(double? v) => v is { } x && double.IsFinite(x) ? Math.Round(x, 3) : null;

    private static ModelDeploymentStatus Clone(ModelDeploymentStatus? s) =>
        s is null ? new ModelDeploymentStatus() : KubernetesJson.Deserialize<ModelDeploymentStatus>(KubernetesJson.Serialize(s));
}
