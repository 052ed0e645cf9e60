using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// The pure heart of reconcile: from a ModelDeployment and the children observed in the cluster, decide what to write.
/// No I/O, so every case is a table test; the same inputs always give the same plan.
/// </summary>
public static class ReconcilePlanner
{
    private const int HistoryLimit = 10;

    /// <summary>Plans one reconcile. <paramref name="now"/> stamps only conditions and history entries that change.</summary>
    public static ReconcilePlan Plan(ModelDeployment md, IReadOnlyCollection<V1Deployment> deployments, V1Service? service, OperatorSettings settings, DateTime now)
    {
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
            return new ReconcilePlan(revision, errors, null, null, [], Changed(md.Status, status));
        }

        var desiredDeployment = DesiredDeployment.Build(md, revision, settings);
        var current = deployments.FirstOrDefault(d => d.Metadata.Name == desiredDeployment.Metadata.Name);
        var desiredService = DesiredService.Build(md);
        var replicas = desiredDeployment.Spec.Replicas ?? 0;
        var ready = current?.Status?.ReadyReplicas ?? 0;
        var available = current is not null && ready >= replicas;
        var previousStable = md.Status?.StableRevision;
        var stableStillServing = previousStable is not null && previousStable != revision
            && deployments.Any(d => RevisionOf(d) == previousStable && (d.Status?.ReadyReplicas ?? 0) > 0);

        List<string> obsolete = [];
        if (available)
        {
            obsolete = deployments.Where(d => RevisionOf(d) != revision).Select(d => d.Metadata.Name).ToList();
            status.Phase = Phases.Serving;
            status.StableRevision = revision;
            status.CanaryRevision = null;
            status.CanaryWeight = null;
            ConditionSet.Set(status.Conditions, ConditionSet.Ready, true, "MinimumReplicasAvailable", $"{ready}/{replicas} replicas ready at revision {revision}", generation, now);
            ConditionSet.Set(status.Conditions, ConditionSet.Progressing, false, "RevisionAvailable", $"Revision {revision} is available", generation, now);
            if (previousStable != revision) Record(status, revision, previousStable is null ? "Serving" : "Promoted", now);
        }
        else if (stableStillServing)
        {
            status.Phase = Phases.Progressing;
            status.CanaryRevision = revision;
            ConditionSet.Set(status.Conditions, ConditionSet.Ready, true, "StableRevisionServing", $"Revision {previousStable} serves while {revision} becomes ready ({ready}/{replicas})", generation, now);
            ConditionSet.Set(status.Conditions, ConditionSet.Progressing, true, "NewRevisionRollingOut", $"Waiting for revision {revision}: {ready}/{replicas} replicas ready", generation, now);
        }
        else
        {
            status.Phase = Phases.Pending;
            ConditionSet.Set(status.Conditions, ConditionSet.Ready, false, "ReplicasNotReady", $"{ready}/{replicas} replicas ready at revision {revision}", generation, now);
            ConditionSet.Set(status.Conditions, ConditionSet.Progressing, true, "RevisionRollingOut", $"Waiting for revision {revision}: {ready}/{replicas} replicas ready", generation, now);
        }
        ConditionSet.Set(status.Conditions, ConditionSet.Degraded, false, "AsExpected", "The spec is valid", generation, now);
        status.Replicas = replicas;
        status.Selector = ChildObjects.Selector(md.Metadata.Name);
        status.ReadyReplicas = deployments.Where(d => !obsolete.Contains(d.Metadata.Name)).Sum(d => d.Status?.ReadyReplicas ?? 0);
        status.Url = DesiredService.Url(md);

        return new ReconcilePlan(
            revision,
            [],
            JsonContainment.IsContainedIn(desiredDeployment, current) ? null : desiredDeployment,
            JsonContainment.IsContainedIn(desiredService, service) ? null : desiredService,
            obsolete,
            Changed(md.Status, status));
    }

    /// <summary>The revision label of a child Deployment.</summary>
    public static string? RevisionOf(V1Deployment d) =>
        d.Metadata.Labels is { } l && l.TryGetValue(WellKnown.RevisionLabel, out var r) ? r : null;

    private static void Record(ModelDeploymentStatus status, string revision, string outcome, DateTime now)
    {
        status.History ??= [];
        foreach (var h in status.History.Where(h => h.Outcome is "Serving" or "Promoted")) h.Outcome = "Superseded";
        status.History.Add(new RevisionRecord { Revision = revision, Outcome = outcome, Time = now });
        if (status.History.Count > HistoryLimit) status.History.RemoveRange(0, status.History.Count - HistoryLimit);
    }

    private static ModelDeploymentStatus Clone(ModelDeploymentStatus? s) =>
        s is null ? new ModelDeploymentStatus() : KubernetesJson.Deserialize<ModelDeploymentStatus>(KubernetesJson.Serialize(s));

    private static ModelDeploymentStatus? Changed(ModelDeploymentStatus? before, ModelDeploymentStatus after) =>
        before is not null && KubernetesJson.Serialize(before) == KubernetesJson.Serialize(after) ? null : after;
}
