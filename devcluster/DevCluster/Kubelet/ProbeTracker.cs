namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// A probe's verdict from consecutive results, as the kubelet counts them: it turns to success after
/// successThreshold successes in a row and to failure after failureThreshold failures in a row; in between it keeps
/// its last verdict. Pure.
/// </summary>
/// <param name="Passing">The current verdict (null before any verdict).</param>
/// <param name="Successes">Consecutive successes.</param>
/// <param name="Failures">Consecutive failures.</param>
public sealed record ProbeTracker(bool? Passing, int Successes, int Failures)
{
    public static ProbeTracker Initial { get; } = new(null, 0, 0);

    /// <summary>The tracker after one more probe result.</summary>
    public ProbeTracker Observe(bool success, int successThreshold, int failureThreshold)
    {
        var next = success ? new ProbeTracker(Passing, Successes + 1, 0) : new ProbeTracker(Passing, 0, Failures + 1);
        if (success && next.Successes >= Math.Max(1, successThreshold)) return next with { Passing = true };
        if (!success && next.Failures >= Math.Max(1, failureThreshold)) return next with { Passing = false };
        return next;
    }
}
