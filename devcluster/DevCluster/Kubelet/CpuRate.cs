namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// CPU use as metrics-server reports it: a rate (nanocores) over a window, from two samples of a container's
/// cumulative CPU time. Each container's earlier sample is kept; the first is measured from the container's start.
/// A sample less than a second after the kept one is measured against it without replacing it, so two quick
/// <c>kubectl top</c> calls do not divide by nearly nothing.
/// </summary>
internal sealed class CpuRate
{
    private readonly Dictionary<string, (long CpuNanos, DateTime At)> _earlier = [];

    public (long NanoCores, TimeSpan Window) Sample(string container, long cpuNanos, DateTime now, DateTime startedAt)
    {
        lock (_earlier)
        {
            var earlier = _earlier.TryGetValue(container, out var kept) && kept.At >= startedAt ? kept : (0, startedAt);
            var (nanoCores, window) = Between(earlier, (cpuNanos, now));
            if (now - earlier.At >= TimeSpan.FromSeconds(1)) _earlier[container] = (cpuNanos, now);
            return (nanoCores, window);
        }
    }

    /// <summary>Forgets containers not in <paramref name="running"/>.</summary>
    public void Keep(IReadOnlySet<string> running)
    {
        lock (_earlier)
            foreach (var gone in _earlier.Keys.Where(k => !running.Contains(k)).ToList()) _earlier.Remove(gone);
    }

    /// <summary>The rate between two samples; a window under a millisecond counts as one.</summary>
    public static (long NanoCores, TimeSpan Window) Between((long CpuNanos, DateTime At) earlier, (long CpuNanos, DateTime At) later)
    {
        var window = later.At - earlier.At;
        var ticks = Math.Max(window.Ticks, TimeSpan.TicksPerMillisecond);
        var used = (Int128)Math.Max(0, later.CpuNanos - earlier.CpuNanos);
        return ((long)(used * TimeSpan.TicksPerSecond / ticks), window < TimeSpan.Zero ? TimeSpan.Zero : window);
    }
}
