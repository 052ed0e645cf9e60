using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>How long a deleted pod's container runs on, not ready, before SIGTERM. Pure.</summary>
public static class TerminationGap
{
    /// <summary>
    /// The container's <c>lifecycle.preStop.sleep.seconds</c> when it declares one, else the kubelet's drain delay;
    /// never more than the grace period, which the gap is part of.
    /// </summary>
    public static TimeSpan Of(V1Container container, TimeSpan drainDelay, TimeSpan grace)
    {
        var gap = container.Lifecycle?.PreStop?.Sleep?.Seconds is { } seconds ? TimeSpan.FromSeconds(seconds) : drainDelay;
        if (gap < TimeSpan.Zero) gap = TimeSpan.Zero;
        return gap > grace ? grace : gap;
    }
}
