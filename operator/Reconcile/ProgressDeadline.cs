using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Reconcile;

/// <summary>What the deadline check found: whether it passed, why, and when to look again if it has not yet.</summary>
/// <param name="Message">Set when the deadline passed: what did not progress, for people.</param>
/// <param name="LookAgainAfter">When the deadline has not passed but a not-ready pod will reach it.</param>
public sealed record DeadlineCheck(string? Message, TimeSpan? LookAgainAfter)
{
    /// <summary>True when the revision passed its progress deadline.</summary>
    public bool Exceeded => Message is not null;
}

/// <summary>
/// A revision that does not become available within <c>spec.rollout.analysis.progressDeadline</c> (10m by default,
/// the Deployment's own default) has passed its progress deadline. The Deployment controller says so with
/// Progressing=False reason ProgressDeadlineExceeded; where it does not (a minimal controller), a pod of the revision
/// that has not been ready for the whole deadline since it was created says the same.
/// </summary>
public static class ProgressDeadline
{
    /// <summary>The Deployment condition reason (and ours) for a passed deadline.</summary>
    public const string Reason = "ProgressDeadlineExceeded";

    /// <summary>The spec's progress deadline.</summary>
    public static TimeSpan Of(ModelDeploymentSpec spec) =>
        Durations.TryParse(spec.Rollout?.Analysis?.ProgressDeadline) ?? RolloutStepper.DefaultProgressDeadline;

    /// <summary>Checks the revision's Deployment and pods against the deadline at <paramref name="now"/>.</summary>
    public static DeadlineCheck Check(V1Deployment? deployment, IEnumerable<V1Pod> pods, string revision, TimeSpan deadline, DateTime now)
    {
        if (deployment?.Status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing") is { Status: "False", Reason: Reason } condition)
            return new DeadlineCheck($"Deployment {deployment.Metadata.Name}: {condition.Message}", null);
        TimeSpan? next = null;
        foreach (var pod in pods.Where(p => PodFailure.RevisionOf(p) == revision && p.Metadata.DeletionTimestamp is null && !IsReady(p))
                     .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            if (pod.Metadata.CreationTimestamp is not { } created) continue;
            var left = created.ToUniversalTime() + deadline - now;
            if (left <= TimeSpan.Zero)
                return new DeadlineCheck($"pod {pod.Metadata.Name} of revision {revision} has not become ready within the progress deadline {Durations.Format(deadline)}", null);
            if (next is null || left < next) next = left;
        }
        return new DeadlineCheck(null, next);
    }

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
