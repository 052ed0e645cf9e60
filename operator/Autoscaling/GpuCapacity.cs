namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// How many <c>nvidia.com/gpu</c> each pod asks for and how many the schedulable nodes it may land on have free
/// (allocatable less what bound pods request, less what this ModelDeployment's unbound pods will take).
/// </summary>
public sealed record GpuCapacity(int GpusPerPod, long FreeGpus)
{
    /// <summary>The most pods that can run: the current ones plus what the free GPUs hold (fewer when free is negative).</summary>
    public int MaxPods(int current) => GpusPerPod <= 0 ? int.MaxValue
        : (int)Math.Max(0, Math.Min(int.MaxValue, current + Math.Floor((double)FreeGpus / GpusPerPod)));
}
