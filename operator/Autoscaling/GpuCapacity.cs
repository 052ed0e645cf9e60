namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// How many <c>nvidia.com/gpu</c> each pod asks for and how many the schedulable nodes it may land on have free
/// (allocatable less what bound pods request, less what this ModelDeployment's unbound pods will take).
/// </summary>
public sealed record GpuCapacity(int GpusPerPod, long FreeGpus)
{
    /// <summary>
    /// The pods that run beside a given replica count (a canary's, during a rollout); they take GPUs as well, so a
    /// scale-up must leave room for them. None by default.
    /// </summary>
    public Func<int, int> SurgeFor { get; init; } = _ => 0;

    /// <summary>
    /// The most replicas that can run: the current ones plus what the free GPUs hold (fewer when free is negative),
    /// counting the surge each count brings with it.
    /// </summary>
    public int MaxPods(int current)
    {
        if (GpusPerPod <= 0) return int.MaxValue;
        var spare = (long)Math.Floor((double)FreeGpus / GpusPerPod);
        var budget = current + (long)SurgeFor(current) + spare;
        var best = 0;
        for (var n = 1; n <= Math.Min(int.MaxValue - 1L, current + Math.Max(0, spare)); n++)
            if (n + (long)SurgeFor(n) <= budget) best = n;
        return best;
    }
}
