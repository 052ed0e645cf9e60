namespace ModelOperator.DevCluster.Kubelet;

/// <summary>The kubelet's restart back-off: base, doubling with each restart, capped.</summary>
public static class CrashLoopBackOff
{
    /// <summary>How long to wait before restarting a container that has restarted <paramref name="restarts"/> times already.</summary>
    public static TimeSpan Delay(int restarts, TimeSpan baseDelay, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Min(restarts, 30));
        var ticks = Math.Min(baseDelay.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Whether a container that exited with <paramref name="exitCode"/> is started again under <paramref name="restartPolicy"/>.</summary>
    public static bool ShouldRestart(string? restartPolicy, int exitCode) => restartPolicy switch
    {
        "Never" => false,
        "OnFailure" => exitCode != 0,
        _ => true,
    };
}
