using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;
using ModelOperator.Operator.ScaleToZero;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// The pure heart of reconcile: from a ModelDeployment and the children observed in the cluster, decide what to write.
/// No I/O, so every case is a table test; the same inputs always give the same plan.
/// </summary>
public static class ReconcilePlanner
{
    /// <summary>
    /// Plans one reconcile. <paramref name="now"/> stamps only conditions and history entries that change.
    /// <paramref name="networkPolicy"/> is the cluster's copy of the pods' NetworkPolicy (<see cref="DesiredNetworkPolicy"/>).
    /// </summary>
    public static ReconcilePlan Plan(ModelDeployment md, IReadOnlyCollection<V1Deployment> deployments, V1Service? service, OperatorSettings settings, DateTime now,
        RolloutInputs? inputs = null, V1NetworkPolicy? networkPolicy = null)
    {
        var plan = PlanServing(md, deployments, service, settings, now, inputs);
        if (plan.Errors.Count > 0) return plan;
        var desiredPolicy = DesiredNetworkPolicy.Build(md, settings.ManagementPeer);
        return DesiredNetworkPolicy.IsAppliedTo(desiredPolicy, networkPolicy) ? plan : plan with { NetworkPolicyToApply = desiredPolicy };
    }

    private static ReconcilePlan PlanServing(ModelDeployment md, IReadOnlyCollection<V1Deployment> deployments, V1Service? service, OperatorSettings settings, DateTime now,
        RolloutInputs? inputs)
    {
        inputs ??= RolloutInputs.None;
        now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc); // metav1.Time has second precision
        var errors = SpecValidator.Validate(md);
        var revision = errors.Count == 0 ? RevisionHasher.Compute(md.Spec, settings) : md.Status?.StableRevision ?? "";
        var status = Clone(md.Status);
        status.ObservedGeneration = md.Metadata.Generation;
        status.Conditions ??= [];
        var generation = md.Metadata.Generation;

        if (errors.Count > 0)
        {
            var message = string.Join("; ", errors);
            status.Phase = Phases.Failed;
            ConditionSet.Set(status.Conditions, ConditionSet.Ready, false, SpecValidator.Reason, message, generation, now);
            ConditionSet.Set(status.Conditions, ConditionSet.Progressing, false, SpecValidator.Reason, "The spec must be fixed before a revision can roll out", generation, now);
            ConditionSet.Set(status.Conditions, ConditionSet.Degraded, true, SpecValidator.Reason, message, generation, now);
            KstatusConditions.Apply(status, revision, specInvalid: true, generation, now);
            return new ReconcilePlan(revision, errors, null, null, [], Changed(md.Status, status));
        }

        var desiredDeployment = DesiredDeployment.Build(md, revision, settings);
        var current = deployments.FirstOrDefault(d => d.Metadata.Name == desiredDeployment.Metadata.Name);
        var desiredService = DesiredService.Build(md);
        var stableDeployment = md.Status?.StableRevision is { } stableRev && stableRev != revision
            ? deployments.FirstOrDefault(d => RevisionOf(d) == stableRev) : null;
        ReportAdmission(md, status, revision, inputs, deployments, now);
        if (stableDeployment is not null && !ScaleToZeroStatus.StableAtZero(md, stableDeployment))
            return PlanCanary(md, status, revision, desiredDeployment, current, stableDeployment, desiredService, service, deployments, inputs, now);

        var replicas = desiredDeployment.Spec.Replicas ?? 0;
        var ready = current?.Status?.ReadyReplicas ?? 0;
        var previousStable = md.Status?.StableRevision;
        var stableStillServing = previousStable is not null && previousStable != revision
            && deployments.Any(d => RevisionOf(d) == previousStable && (d.Status?.ReadyReplicas ?? 0) > 0);
        var failure = PodFailure.Find(inputs.Pods, revision) ?? (stableStillServing ? PodFailure.Find(inputs.Pods, previousStable) : null);
        var settled = replicas == 0 || current is not null && ready >= replicas;
        var deadline = settled ? new DeadlineCheck(null, null) : ProgressDeadline.Check(current, inputs.Pods, revision, ProgressDeadline.Of(md.Spec), now);

        List<string> obsolete = [];
        TimeSpan? coldStartLookAgain = null;
        if (settled)
        {
            obsolete = deployments.Where(d => RevisionOf(d) != revision).Select(d => d.Metadata.Name).ToList();
            status.StableRevision = revision;
            status.CanaryRevision = null;
            status.CanaryWeight = null;
            if (replicas == 0 && md.Spec.Autoscaling?.ScaleToZero is { } scaleToZero)
                ScaleToZeroStatus.AtZero(status, scaleToZero, revision, generation, now);
            else if (replicas == 0)
            {
                // Nothing scales a revision up from zero without autoscaling: saying "Serving" would promise what no pod does.
                status.Phase = Phases.ScaledToZero;
                var why = md.Spec.Replicas?.Count is 0 && md.Spec.Autoscaling is null ? "spec.replicas.count is 0" : "spec.replicas.min is 0";
                ConditionSet.Set(status.Conditions, ConditionSet.Ready, false, Phases.ScaledToZero, $"Revision {revision} runs no pods: {why}", generation, now);
                ConditionSet.Set(status.Conditions, ConditionSet.Progressing, false, Phases.ScaledToZero, $"Revision {revision} is scaled to zero", generation, now);
            }
            else
            {
                status.Phase = Phases.Serving;
                ConditionSet.Set(status.Conditions, ConditionSet.Ready, true, "MinimumReplicasAvailable", $"{ready}/{replicas} replicas ready at revision {revision}", generation, now);
                ConditionSet.Set(status.Conditions, ConditionSet.Progressing, false, "RevisionAvailable", $"Revision {revision} is available", generation, now);
            }
            if (previousStable != revision) Record(status, revision, previousStable is null ? "Serving" : "Promoted", now);
        }
        else if (previousStable == revision && ready > 0)
        {
            // The stable revision keeps serving while it scales up or replaces pods. New pods its benchmark gate refuses
            // never turn ready, so the scale-up cannot finish: said here, with the first refusal, not only in BenchmarkPassed.
            status.Phase = Phases.Serving;
            ConditionSet.Set(status.Conditions, ConditionSet.Ready, true, "MinimumReplicasAvailable", $"{ready}/{replicas} replicas ready at revision {revision}", generation, now);
            var refused = inputs.Refused(revision);
            if (refused.Count > 0)
                SetProgressing(status, deadline, true, refused[0].Decision.Reason,
                    $"Revision {revision} scaling to {replicas} replicas: {ready} ready, {refused.Count} not admitted and staying unready (pod {refused[0].Pod}: {refused[0].Decision.Message})", generation, now);
            else
                SetProgressing(status, deadline, true, "ScalingReplicaSet", $"Revision {revision} scaling to {replicas} replicas: {ready} ready", generation, now);
        }
        else if (stableStillServing)
        {
            status.Phase = Phases.Progressing;
            status.CanaryRevision = revision;
            ConditionSet.Set(status.Conditions, ConditionSet.Ready, true, "StableRevisionServing", $"Revision {previousStable} serves while {revision} becomes ready ({ready}/{replicas})", generation, now);
            SetProgressing(status, deadline, true, "NewRevisionRollingOut", $"Waiting for revision {revision}: {ready}/{replicas} replicas ready", generation, now);
        }
        else if (ScaleToZeroStatus.Waking(md, previousStable, revision, ready) is { } requestedAt)
            coldStartLookAgain = ScaleToZeroStatus.Wake(status, md.Spec.Autoscaling!.ScaleToZero!, revision, requestedAt, failure, replicas, generation, now);
        else
        {
            status.Phase = deadline.Exceeded || failure is not null ? Phases.Failed : Phases.Pending;
            var (reason, message) = failure is not null ? (failure.Reason, failure.Message)
                : deadline.Exceeded ? (ProgressDeadline.Reason, deadline.Message!) : ("ReplicasNotReady", $"{ready}/{replicas} replicas ready at revision {revision}");
            ConditionSet.Set(status.Conditions, ConditionSet.Ready, false, reason, message, generation, now);
            SetProgressing(status, deadline, true, "RevisionRollingOut", $"Waiting for revision {revision}: {ready}/{replicas} replicas ready", generation, now);
        }
        SetDegraded(status, failure, deadline, revision, generation, now);
        if (failure is null && !deadline.Exceeded) ScaleToZeroStatus.DegradeOnTimeout(status, generation, now);
        status.Replicas = replicas;
        status.Selector = ChildObjects.Selector(md.Metadata.Name);
        status.ReadyReplicas = deployments.Where(d => !obsolete.Contains(d.Metadata.Name)).Sum(d => d.Status?.ReadyReplicas ?? 0);
        status.Url = DesiredService.Url(md);
        if (!deadline.Exceeded) ReportUnschedulable(status, revision, inputs, generation, now);
        KstatusConditions.Apply(status, revision, specInvalid: false, generation, now);
        var coldStarted = ready > 0 ? ScaleToZeroStatus.Record(md, status, revision, inputs.Pods) : null;

        return new ReconcilePlan(
            revision,
            [],
            JsonContainment.IsContainedIn(desiredDeployment, current) ? null : desiredDeployment,
            DesiredService.IsAppliedTo(desiredService, service) ? null : desiredService,
            obsolete,
            Changed(md.Status, status),
            coldStarted is null ? null : [coldStarted],
            RequeueAfter: new[] { deadline.LookAgainAfter, coldStartLookAgain }.Where(t => t is not null).Min());
    }

    // Progressing as the Deployment controller reports it: False with ProgressDeadlineExceeded once the deadline passed.
    private static void SetProgressing(ModelDeploymentStatus status, DeadlineCheck deadline, bool progressing, string reason, string message, long? generation, DateTime now)
    {
        if (deadline.Exceeded)
            ConditionSet.Set(status.Conditions!, ConditionSet.Progressing, false, ProgressDeadline.Reason, deadline.Message!, generation, now);
        else
            ConditionSet.Set(status.Conditions!, ConditionSet.Progressing, progressing, reason, message, generation, now);
    }

    // Degraded names the first failing pod (the kubelet's reason and message), else a passed deadline, else nothing.
    private static void SetDegraded(ModelDeploymentStatus status, PodFailure? failure, DeadlineCheck deadline, string revision, long? generation, DateTime now)
    {
        if (failure is not null)
            ConditionSet.Set(status.Conditions!, ConditionSet.Degraded, true, failure.Reason,
                (failure.Revision == revision ? $"Revision {revision}: " : $"Stable revision {failure.Revision}: ") + failure.Message, generation, now);
        else if (deadline.Exceeded)
            ConditionSet.Set(status.Conditions!, ConditionSet.Degraded, true, ProgressDeadline.Reason, deadline.Message!, generation, now);
        else
            ConditionSet.Set(status.Conditions!, ConditionSet.Degraded, false, "AsExpected", "The spec is valid and no pod is failing", generation, now);
    }

    // A stable revision serves while the new one walks the rollout steps; the stepper decides, this applies it.
    private static ReconcilePlan PlanCanary(ModelDeployment md, ModelDeploymentStatus status, string revision, V1Deployment desiredDeployment, V1Deployment? current,
        V1Deployment stableDeployment, V1Service desiredService, V1Service? service, IReadOnlyCollection<V1Deployment> deployments, RolloutInputs inputs, DateTime now)
    {
        var generation = md.Metadata.Generation;
        var readyStable = stableDeployment.Status?.ReadyReplicas ?? 0;
        var readyCanary = current?.Status?.ReadyReplicas ?? 0;
        var rejection = inputs.Refused(revision).FirstOrDefault()?.Decision;
        var seen = new RolloutObservation(ChildObjects.Replicas(md), readyStable, readyCanary, rejection, inputs.Check, PodFailure.Find(inputs.Pods, revision), inputs.Shadow);
        var decision = RolloutStepper.Step(md.Spec, generation, revision, status, seen, now);
        var next = decision.Status;
        desiredDeployment.Spec.Replicas = decision.CanaryReplicas;
        // A shadow (issue 23) is admitted and ready but gets no user traffic until its phase has passed: the Service selects stable alone.
        if (decision.Action != RolloutAction.Promoted && RolloutStepper.ShadowHoldsTraffic(next, revision) && next.StableRevision is { } stable)
            desiredService = DesiredService.Build(md, onlyRevision: stable);

        List<string> obsolete = [];
        if (decision.Action == RolloutAction.Promoted)
        {
            obsolete = deployments.Where(d => RevisionOf(d) != revision).Select(d => d.Metadata.Name).ToList();
            ConditionSet.Set(next.Conditions!, ConditionSet.Ready, true, "MinimumReplicasAvailable", $"{readyCanary}/{decision.CanaryReplicas} replicas ready at revision {revision}", generation, now);
        }
        else
        {
            // Old revisions other than stable and this canary (an abandoned canary) go; stable keeps serving untouched.
            obsolete = deployments.Where(d => RevisionOf(d) != revision && RevisionOf(d) != next.StableRevision).Select(d => d.Metadata.Name).ToList();
            ConditionSet.Set(next.Conditions!, ConditionSet.Ready, readyStable > 0, readyStable > 0 ? "StableRevisionServing" : "ReplicasNotReady",
                $"Revision {next.StableRevision} serves with {readyStable} ready replicas; canary {revision} has {readyCanary}", generation, now);
        }
        // A failing canary pod is reported while the stable revision keeps serving (Ready stays as it is).
        var canaryFailure = decision.Action is RolloutAction.RolledBack or RolloutAction.Blocked ? null : PodFailure.Find(inputs.Pods, revision);
        var stableFailure = PodFailure.Find(inputs.Pods, next.StableRevision);
        if (canaryFailure is not null)
            ConditionSet.Set(next.Conditions!, ConditionSet.Degraded, true, canaryFailure.Reason, $"Canary revision {revision}: {canaryFailure.Message}", generation, now);
        else
            SetDegraded(next, stableFailure, new DeadlineCheck(null, null), revision, generation, now);
        next.ObservedGeneration = generation;
        next.Replicas = ChildObjects.Replicas(md);
        next.ReadyReplicas = readyStable + readyCanary;
        next.Url = DesiredService.Url(md);
        if (decision.Action is not (RolloutAction.RolledBack or RolloutAction.Blocked or RolloutAction.Halted or RolloutAction.Promoted))
            ReportUnschedulable(next, revision, inputs, generation, now);
        KstatusConditions.Apply(next, revision, specInvalid: false, generation, now);

        return new ReconcilePlan(
            revision,
            [],
            JsonContainment.IsContainedIn(desiredDeployment, current) ? null : desiredDeployment,
            DesiredService.IsAppliedTo(desiredService, service) ? null : desiredService,
            obsolete,
            Changed(md.Status, next),
            decision.Events,
            decision.RequeueAfter);
    }

    // Benchmarks per node and the BenchmarkPassed condition of the revision being rolled out.
    private static void ReportAdmission(ModelDeployment md, ModelDeploymentStatus status, string revision, RolloutInputs inputs, IReadOnlyCollection<V1Deployment> deployments, DateTime now)
    {
        var live = deployments.Select(RevisionOf).OfType<string>().Append(revision).ToHashSet();
        status.Benchmarks = BenchmarkRecords.Merge(status.Benchmarks, inputs.Verdicts, live);
        var livePods = inputs.Pods.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        status.ModelSources = ModelSourceRecords.Merge(status.ModelSources, inputs.Verdicts, livePods, live);
        var mine = inputs.Verdicts.Where(v => v.Revision == revision && v.Decision.Admitted is not null).OrderBy(v => v.Pod, StringComparer.Ordinal).ToList();
        if (mine.Count == 0) return;
        var failedGate = mine.FirstOrDefault(v => v.Decision.Reason is AdmissionDecision.GateFailed or AdmissionDecision.BenchmarkFailed);
        if (failedGate is not null)
            ConditionSet.Set(status.Conditions!, BenchmarkPassedCondition, false, failedGate.Decision.Reason, $"Pod {failedGate.Pod}: {failedGate.Decision.Message}", md.Metadata.Generation, now);
        else if (mine.FirstOrDefault(v => v.Decision.Admitted == true) is { } passed)
            ConditionSet.Set(status.Conditions!, BenchmarkPassedCondition, true, AdmissionDecision.Passed,
                $"{mine.Count(v => v.Decision.Admitted == true)} pod(s) of revision {revision} passed; {passed.Decision.Message}", md.Metadata.Generation, now);
        var guard = mine.FirstOrDefault(v => v.Decision.Reason == AdmissionDecision.SignatureChanged);
        ConditionSet.Set(status.Conditions!, SignatureCompatibleCondition, guard is null, guard is null ? "SignatureMatches" : AdmissionDecision.SignatureChanged,
            guard is null ? $"Revision {revision} keeps the stable signature or may change it" : $"Revision {revision}: {guard.Decision.Message}", md.Metadata.Generation, now);
    }

    // A pod the scheduler cannot place is reported with the scheduler's own reason and message.
    private static void ReportUnschedulable(ModelDeploymentStatus status, string revision, RolloutInputs inputs, long? generation, DateTime now)
    {
        var stuck = inputs.Pods
            .Where(p => p.Metadata.Labels is { } l && l.TryGetValue(WellKnown.RevisionLabel, out var r) && r == revision && p.Metadata.DeletionTimestamp is null)
            .Select(p => (Pod: p, Cond: p.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False")))
            .Where(x => x.Cond is not null)
            .OrderBy(x => x.Pod.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (stuck.Cond is null) return;
        ConditionSet.Set(status.Conditions!, ConditionSet.Progressing, true, stuck.Cond.Reason ?? "Unschedulable",
            $"Revision {revision}: pod {stuck.Pod.Metadata.Name} cannot be scheduled: {stuck.Cond.Message}", generation, now);
    }

    /// <summary>Condition type for the benchmark gate of the revision being rolled out.</summary>
    public const string BenchmarkPassedCondition = "BenchmarkPassed";
    /// <summary>Condition type for the signature guard of the revision being rolled out.</summary>
    public const string SignatureCompatibleCondition = "SignatureCompatible";

    /// <summary>The revision label of a child Deployment.</summary>
    public static string? RevisionOf(V1Deployment d) =>
        d.Metadata.Labels is { } l && l.TryGetValue(WellKnown.RevisionLabel, out var r) ? r : null;

    private static void Record(ModelDeploymentStatus status, string revision, string outcome, DateTime now) =>
        History.Record(status, revision, outcome, null, now);

    private static ModelDeploymentStatus Clone(ModelDeploymentStatus? s) =>
        s is null ? new ModelDeploymentStatus() : KubernetesJson.Deserialize<ModelDeploymentStatus>(KubernetesJson.Serialize(s));

    private static ModelDeploymentStatus? Changed(ModelDeploymentStatus? before, ModelDeploymentStatus after) =>
        before is not null && KubernetesJson.Serialize(before) == KubernetesJson.Serialize(after) ? null : after;
}
