namespace ModelOperator.DevCluster;

/// <summary>One simulated node: its name, labels, taints and capacity (allocatable equals capacity).</summary>
public sealed record NodeConfig
{
    public required string Name { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>Taints as key=value:Effect, e.g. <c>nvidia.com/gpu=present:NoSchedule</c>.</summary>
    public List<string> Taints { get; set; } = [];
    /// <summary>Capacity by resource name: cpu, memory, pods, nvidia.com/gpu.</summary>
    public Dictionary<string, string> Capacity { get; set; } = [];

    /// <summary>Two GPU nodes (2 GPUs each, tainted as managed GPU pools are) and one CPU node.</summary>
    public static List<NodeConfig> Defaults() =>
    [
        Gpu("gpu-node-1"),
        Gpu("gpu-node-2"),
        new()
        {
            Name = "cpu-node-1",
            Labels = new() { ["kubernetes.io/hostname"] = "cpu-node-1", ["kubernetes.io/os"] = "linux", ["kubernetes.io/arch"] = "amd64" },
            Capacity = new() { ["cpu"] = "8", ["memory"] = "32Gi", ["pods"] = "110" },
        },
    ];

    private static NodeConfig Gpu(string name) => new()
    {
        Name = name,
        Labels = new()
        {
            ["kubernetes.io/hostname"] = name, ["kubernetes.io/os"] = "linux", ["kubernetes.io/arch"] = "amd64",
            ["nvidia.com/gpu.present"] = "true", ["nvidia.com/gpu.product"] = "NVIDIA-H200-SIMULATED",
        },
        Taints = ["nvidia.com/gpu=present:NoSchedule"],
        Capacity = new() { ["cpu"] = "16", ["memory"] = "64Gi", ["pods"] = "110", ["nvidia.com/gpu"] = "2" },
    };
}
