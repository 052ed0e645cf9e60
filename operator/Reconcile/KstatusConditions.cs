using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// Derives kstatus's <c>Reconciling</c> and <c>Stalled</c> from the rest of the status, so Flux, kstatus and
/// <c>kubectl wait</c> read the same story as <c>Ready</c>: Stalled=True when the operator cannot get further without
/// a change (an invalid spec, a rolled-back or halted revision awaiting a new spec, a revision past its progress
/// deadline); else Reconciling=True while the revision is being rolled out (Progressing=True); both False when settled.
/// </summary>
public static class KstatusConditions
{
    /// <summary>Reason of both conditions once the spec's revision is rolled out as asked.</summary>
    public const string Reconciled = "Reconciled";

    /// <summary>Sets both conditions on <paramref name="status"/> for <paramref name="revision"/>.</summary>
    public static void Apply(ModelDeploymentStatus status, string revision, bool specInvalid, long? generation, DateTime now)
    {
        var conditions = status.Conditions ??= [];
        var progressing = conditions.FirstOrDefault(c => c.Type == ConditionSet.Progressing);
        var stalled = Stall(status, revision, specInvalid, progressing, generation);
        if (stalled is { } s)
        {
            ConditionSet.Set(conditions, ConditionSet.Stalled, true, s.Reason, s.Message, generation, now);
            ConditionSet.Set(conditions, ConditionSet.Reconciling, false, s.Reason, "The operator cannot make progress until the spec (or the cluster) changes", generation, now);
        }
        else if (progressing is { Status: "True" })
        {
            ConditionSet.Set(conditions, ConditionSet.Reconciling, true, progressing.Reason, progressing.Message, generation, now);
            ConditionSet.Set(conditions, ConditionSet.Stalled, false, "Reconciling", "The rollout is making progress", generation, now);
        }
        else
        {
            var message = $"Revision {revision} of generation {generation} is rolled out as specified";
            ConditionSet.Set(conditions, ConditionSet.Reconciling, false, Reconciled, message, generation, now);
            ConditionSet.Set(conditions, ConditionSet.Stalled, false, Reconciled, message, generation, now);
        }
    }

    private static (string Reason, string Message)? Stall(ModelDeploymentStatus status, string revision, bool specInvalid, Condition? progressing, long? generation)
    {
        if (specInvalid)
            return (SpecValidator.Reason, ConditionSet.Find(status, ConditionSet.Ready)?.Message ?? "The spec is invalid");
        if (status.FailedRevision == revision && status.FailedGeneration == generation)
        {
            var outcome = status.History?.LastOrDefault(h => h.Revision == revision);
            var halted = outcome?.Outcome == "Halted";
            return (halted ? "RolloutHalted" : "RolledBack",
                $"Revision {revision} {(halted ? "was halted" : $"was rolled back to {status.StableRevision}")}: {outcome?.Message ?? "it failed"}; change the spec to try again");
        }
        if (progressing is { Status: "False", Reason: ProgressDeadline.Reason })
            return (ProgressDeadline.Reason, progressing.Message);
        return null;
    }
}
