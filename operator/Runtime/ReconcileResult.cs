namespace ModelOperator.Operator.Runtime;

/// <summary>What a reconcile asks of the queue: nothing more, or another look after a delay.</summary>
public readonly record struct ReconcileResult(TimeSpan? RequeueAfter)
{
    /// <summary>Done until the next event.</summary>
    public static ReconcileResult Done => new(null);

    /// <summary>Look again after <paramref name="delay"/> even without an event.</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);
}

/// <summary>A reconciler: level-triggered, idempotent, safe to run twice for the same key.</summary>
public interface IReconciler
{
    /// <summary>Brings the cluster in line with the object at <paramref name="key"/> (namespace/name). Throwing retries with backoff.</summary>
    Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct);
}
