using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>Sets KEP-1623 conditions, keeping lastTransitionTime unless the status actually changes.</summary>
public static class ConditionSet
{
    /// <summary>Condition types the operator sets.</summary>
    public const string Ready = "Ready", Progressing = "Progressing", Degraded = "Degraded";
    /// <summary>kstatus's abnormal-true conditions: True while the operator works towards the spec, or cannot.</summary>
    public const string Reconciling = "Reconciling", Stalled = "Stalled";

    /// <summary>Adds or updates a condition in place.</summary>
    public static void Set(List<Condition> conditions, string type, bool status, string reason, string message, long? generation, DateTime now)
    {
        var text = status ? "True" : "False";
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new Condition { Type = type, Status = text, Reason = reason, Message = message, ObservedGeneration = generation, LastTransitionTime = now });
            return;
        }
        if (existing.Status != text) existing.LastTransitionTime = now;
        existing.Status = text;
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = generation;
    }

    /// <summary>The named condition, or null.</summary>
    public static Condition? Find(ModelDeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);
}
