using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>Keeps <c>status.history</c>: the last revisions and their outcome, newest last.</summary>
public static class History
{
    /// <summary>How many entries status keeps.</summary>
    public const int Limit = 10;

    /// <summary>Appends an outcome; a new Serving or Promoted revision supersedes the one before.</summary>
    public static void Record(ModelDeploymentStatus status, string revision, string outcome, string? message, DateTime now)
    {
        status.History ??= [];
        if (outcome is "Serving" or "Promoted")
            foreach (var h in status.History.Where(h => h.Outcome is "Serving" or "Promoted")) h.Outcome = "Superseded";
        status.History.Add(new RevisionRecord { Revision = revision, Outcome = outcome, Time = now, Message = message });
        if (status.History.Count > Limit) status.History.RemoveRange(0, status.History.Count - Limit);
    }
}
