using k8s.Models;

namespace ModelOperator.DevCluster.Nodes;

/// <summary>The Node object a <see cref="NodeConfig"/> describes: labels, taints, capacity equal to allocatable.</summary>
internal static class NodeObjects
{
    public static V1Node From(NodeConfig config) => new()
    {
        ApiVersion = "v1", Kind = "Node",
        Metadata = new V1ObjectMeta { Name = config.Name, Labels = new Dictionary<string, string>(config.Labels) },
        Spec = new V1NodeSpec { Taints = config.Taints.Select(ParseTaint).ToList() },
    };

    /// <summary>Parses <c>key=value:Effect</c> or <c>key:Effect</c>.</summary>
    public static V1Taint ParseTaint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0) throw new FormatException($"taint \"{text}\" is not key[=value]:Effect");
        var effect = text[(colon + 1)..];
        if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            throw new FormatException($"taint \"{text}\" has effect \"{effect}\"; expected NoSchedule, PreferNoSchedule or NoExecute");
        var keyValue = text[..colon].Split('=', 2);
        return new V1Taint { Key = keyValue[0], Value = keyValue.Length > 1 ? keyValue[1] : null, Effect = effect };
    }

    public static Dictionary<string, ResourceQuantity> Capacity(NodeConfig config) =>
        config.Capacity.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value));

    /// <summary>The node's status: capacity, allocatable, Ready and the pressure conditions kubectl describe shows.</summary>
    /// <summary>The container runtime version a node reports while its kubelet runs containers as processes.</summary>
    public const string ProcessRuntime = "devcluster://processes";

    public static V1NodeStatus Status(NodeConfig config, DateTime heartbeat, DateTime readySince, string address, string runtime = ProcessRuntime) => new()
    {
        Capacity = Capacity(config),
        Allocatable = Capacity(config),
        Addresses = [new V1NodeAddress { Type = "InternalIP", Address = address }, new V1NodeAddress { Type = "Hostname", Address = config.Name }],
        Conditions =
        [
            Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", heartbeat, readySince),
            Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", heartbeat, readySince),
            Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", heartbeat, readySince),
            Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status (dev cluster node simulator)", heartbeat, readySince),
        ],
        NodeInfo = new V1NodeSystemInfo
        {
            Architecture = "amd64", OperatingSystem = "linux", OsImage = "ModelOperator dev cluster", KernelVersion = Environment.OSVersion.VersionString,
            ContainerRuntimeVersion = runtime, KubeletVersion = "v1.34.0-devcluster", KubeProxyVersion = "v1.34.0-devcluster",
            MachineID = config.Name, SystemUUID = config.Name, BootID = config.Name,
        },
        Phase = null,
    };

    private static V1NodeCondition Condition(string type, string status, string reason, string message, DateTime heartbeat, DateTime since) => new()
    {
        Type = type, Status = status, Reason = reason, Message = message, LastHeartbeatTime = heartbeat, LastTransitionTime = since,
    };
}
