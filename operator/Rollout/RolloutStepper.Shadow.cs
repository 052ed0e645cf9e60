using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Rollout;

public static partial class RolloutStepper
{
    /// <summary>
    /// True while <paramref name="revision"/> may get no user traffic: it runs as a shadow (spec.rollout.shadow) whose
    /// phase has not passed. Stays true after a failed phase, so a halted shadow (autoRollback false) never serves users.
    /// </summary>
    public static bool ShadowHoldsTraffic(ModelDeploymentStatus? status, string revision) =>
        status is { Shadow: { Revision: { } r, Decision: not ShadowStatus.Passed } } && r == revision && status.StableRevision != revision;

    /// <summary>True while the stable pods must mirror to <paramref name="revision"/>: its shadow phase is running.</summary>
    public static bool ShadowRunning(ModelDeploymentStatus? status, string revision) =>
        status is { Shadow: { Revision: { } r, Decision: ShadowStatus.Running } } && r == revision && status.StableRevision != revision;

    /// <summary>The phase's settings with the spec's defaults.</summary>
    public static ShadowSettings ShadowSettingsOf(ShadowSpec shadow) => new(
        shadow.Fraction ?? ShadowSpec.DefaultFraction,
        Durations.TryParse(shadow.Duration) ?? Durations.TryParse(ShadowSpec.DefaultDuration)!.Value,
        shadow.MinRequests ?? ShadowSpec.DefaultMinRequests);

    /// <summary>The answer checks of <c>spec.rollout.analysis</c>.</summary>
    public static AnswerChecks AnswerChecksOf(AnalysisSpec? analysis) => new(analysis?.MinAgreement, analysis?.MaxOutputDiff, analysis?.Outputs);

    /// <summary>
    /// The shadow's replicas: enough for <paramref name="fraction"/> of stable's load, at least one and at most
    /// <paramref name="max"/>; a copy costs the shadow what the request cost stable.
    /// </summary>
    public static int ShadowReplicas(double fraction, int stableReplicas, int max) =>
        Math.Clamp((int)Math.Ceiling(Math.Max(1, stableReplicas) * fraction), 1, Math.Max(1, max));

    private static void StartShadow(ModelDeploymentSpec spec, string revision, ModelDeploymentStatus s, List<RolloutEvent> events)
    {
        if (spec.Rollout?.Shadow is not { } shadow)
        {
            s.Shadow = null;
            return;
        }
        var settings = ShadowSettingsOf(shadow);
        s.Shadow = new ShadowStatus { Revision = revision, Decision = ShadowStatus.Running, Message = "Waiting for a ready shadow pod" };
        events.Add(new RolloutEvent("Normal", "ShadowStarted",
            $"Revision {revision} started as shadow beside stable {s.StableRevision}: it gets a copy of {(settings.Fraction >= 1 ? "every one" : FormattableString.Invariant($"{settings.Fraction * 100:0.##}%"))} of stable's requests and no user traffic for at least {Durations.Format(settings.Duration)}"));
    }

    // One reconcile of a running shadow phase: null when it passed this reconcile, so the caller goes on to the canary
    // steps (or to promotion) with this interval's check already counted.
    private static RolloutDecision? StepShadow(ModelDeploymentSpec spec, long? generation, string revision, ModelDeploymentStatus s, List<RolloutEvent> events,
        RolloutObservation seen, int max, TimeSpan deadline, DateTime now)
    {
        var settings = ShadowSettingsOf(spec.Rollout!.Shadow!);
        var limit = spec.Rollout.Analysis?.FailureLimit ?? 3;
        if (seen.ReadyCanary > 0 && s.StepStartTime is null) s.StepStartTime = now; // the interval clock starts with the first ready shadow pod
        var step = ShadowPhase.Decide(settings, AnswerChecksOf(spec.Rollout.Analysis), limit, ProgressOf(s.Shadow!), seen.ReadyCanary, seen.Check, seen.Shadow, now);
        if (seen.Check is { } check)
        {
            s.LastCheckTime = now;
            s.LastAnalysis = Record(check, now);
            if (check.Result != CheckResult.Inconclusive) s.LastProgressTime = now;
            events.Add(new RolloutEvent(check.Result == CheckResult.Failed ? "Warning" : "Normal", "Analysis" + check.Result,
                $"{check.Message} [failed checks {step.Progress.FailedChecks} of failureLimit {limit}]"));
        }
        s.FailedChecks = step.Progress.FailedChecks;
        s.Shadow = StatusOf(revision, step);

        switch (step.Outcome)
        {
            case ShadowOutcome.Failed:
                return Fail(spec, generation, revision, s, events, seen, "ShadowAnalysisFailed", step.Message, now);
            case ShadowOutcome.Passed:
                events.Add(new RolloutEvent("Normal", "ShadowPassed", $"Revision {revision}: {step.Message}"));
                s.FailedChecks = 0;
                s.CurrentStep = 0;
                s.StepStartTime = now; // the first canary step needs a passed check of its own
                s.LastProgressTime = now;
                return null;
        }

        if (now - (s.LastProgressTime ?? now) > deadline)
            return Fail(spec, generation, revision, s, events, seen, "ProgressDeadlineExceeded",
                $"No conclusive check of the shadow for {Durations.Format(now - s.LastProgressTime!.Value)}, past progressDeadline {Durations.Format(deadline)}"
                + (seen.CanaryFailure is { } f ? $"; {f.Message}" : s.LastAnalysis?.Message is { } m ? $"; last: {m}" : seen.ReadyCanary == 0 ? "; no shadow pod became ready" : ""), now);

        var replicas = ShadowReplicas(settings.Fraction, seen.StableReplicas, max);
        s.CanaryReplicas = replicas;
        s.CanaryWeight = 0;
        s.Phase = Phases.Progressing;
        ConditionSet.Set(s.Conditions!, ConditionSet.Progressing, true, "ShadowProgressing",
            $"Revision {revision} runs as shadow ({seen.ReadyCanary}/{replicas} ready, no user traffic): {step.Message}", generation, now);
        return new RolloutDecision(RolloutAction.Wait, replicas, s, events, NextLook(spec, s, [], 0, deadline, now));
    }

    private static ShadowProgress ProgressOf(ShadowStatus shadow) => new(
        shadow.StartTime,
        shadow.FailedChecks ?? 0,
        shadow.Mirrored ?? 0,
        shadow.Outputs?.Select(o => new OutputTally(o.Output, o.Compared ?? 0, o.Agreeing ?? 0)).ToList(),
        shadow.LargestDiff,
        Enum.TryParse<CheckResult>(shadow.LastConclusive, out var last) ? last : null);

    private static ShadowStatus StatusOf(string revision, ShadowStep step)
    {
        var p = step.Progress;
        return new ShadowStatus
        {
            Revision = revision,
            Decision = step.Outcome switch { ShadowOutcome.Passed => ShadowStatus.Passed, ShadowOutcome.Failed => ShadowStatus.Failed, _ => ShadowStatus.Running },
            StartTime = p.StartTime,
            Mirrored = Round(p.Mirrored),
            Compared = Round(p.Compared),
            Agreement = double.IsFinite(p.Agreement) ? Math.Round(p.Agreement, 4) : null,
            LargestDiff = p.LargestDiff is { } d && double.IsFinite(d) ? Math.Round(d, 6) : null,
            FailedChecks = p.FailedChecks,
            LastConclusive = p.LastConclusive?.ToString(),
            Outputs = p.Outputs?.Select(o => new ShadowOutputStatus { Output = o.Output, Compared = Round(o.Compared), Agreeing = Round(o.Agreeing) }).ToList(),
            Message = step.Message,
        };
    }

    private static double Round(double v) => Math.Round(v, 3);
}
