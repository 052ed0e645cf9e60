using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The pod status a kubelet reports, from its containers' snapshots and the status the API holds now. It owns
/// phase, IPs, startTime, containerStatuses and the conditions PodScheduled (only when missing), Initialized,
/// ContainersReady and Ready; every other condition (readiness gates set by the operator) is kept as it is.
/// Ready needs every container ready, every readiness gate's condition True, and the pod not terminating. Pure.
/// </summary>
public static class PodStatusBuilder
{
    private static readonly string[] Owned = ["Initialized", "ContainersReady", "Ready"];

    public static V1PodStatus Build(V1Pod pod, IReadOnlyList<ContainerSnapshot> containers, string podIp, string hostIp, bool terminating, DateTime now)
    {
        var current = pod.Status ?? new V1PodStatus();
        var kept = (current.Conditions ?? []).Where(c => !Owned.Contains(c.Type)).ToList();
        var conditions = new List<V1PodCondition>(kept);
        if (!conditions.Any(c => c.Type == "PodScheduled")) conditions.Insert(0, Condition(current, "PodScheduled", true, null, null, now));

        var initialized = pod.Spec.InitContainers is not { Count: > 0 };
        conditions.Add(initialized
            ? Condition(current, "Initialized", true, null, null, now)
            : Condition(current, "Initialized", false, "InitContainersNotSupported", "the dev cluster's kubelet does not run init containers", now));

        var unready = containers.Where(c => !c.Ready).Select(c => c.Name).ToList();
        var containersReady = unready.Count == 0 && containers.Count > 0 && !terminating;
        var containersMessage = terminating ? "the pod is terminating" : $"containers with unready status: [{string.Join(' ', unready)}]";
        conditions.Add(Condition(current, "ContainersReady", containersReady, containersReady ? null : "ContainersNotReady", containersReady ? null : containersMessage, now));

        var gateProblem = (pod.Spec.ReadinessGates ?? []).Select(g => g.ConditionType).Select(type =>
            kept.FirstOrDefault(c => c.Type == type) is not { } condition ? $"corresponding condition of pod readiness gate \"{type}\" does not exist."
            : condition.Status != "True" ? $"the status of pod readiness gate \"{type}\" is not \"True\", but {condition.Status}"
            : null).FirstOrDefault(p => p is not null);
        var ready = containersReady && gateProblem is null;
        conditions.Add(Condition(current, "Ready", ready,
            ready ? null : containersReady ? "ReadinessGatesNotReady" : "ContainersNotReady",
            ready ? null : containersReady ? gateProblem : containersMessage, now));

        return new V1PodStatus
        {
            Phase = Phase(pod, containers, initialized),
            Conditions = conditions,
            HostIP = hostIp, HostIPs = [new V1HostIP { Ip = hostIp }],
            PodIP = podIp, PodIPs = [new V1PodIP { Ip = podIp }],
            StartTime = current.StartTime ?? now,
            QosClass = current.QosClass,
            ContainerStatuses = containers.Select(c => new V1ContainerStatus
            {
                Name = c.Name, Image = c.Image, ImageID = c.ImageId ?? "", ContainerID = c.ContainerId, Ready = c.Ready, Started = c.Started,
                RestartCount = c.RestartCount, State = c.State, LastState = c.LastState,
            }).ToList(),
        };
    }

    /// <summary>Pending until every container has started once; Succeeded or Failed once all are finished; Running otherwise.</summary>
    public static string Phase(V1Pod pod, IReadOnlyList<ContainerSnapshot> containers, bool initialized)
    {
        if (!initialized || containers.Count == 0) return "Pending";
        if (containers.All(c => c.Finished))
            return containers.All(c => c.State.Terminated?.ExitCode == 0) ? "Succeeded" : "Failed";
        if (containers.Any(c => c.ContainerId is null)) return "Pending";
        return "Running";
    }

    private static V1PodCondition Condition(V1PodStatus current, string type, bool status, string? reason, string? message, DateTime now)
    {
        var text = status ? "True" : "False";
        var previous = current.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1PodCondition
        {
            Type = type, Status = text, Reason = reason, Message = message,
            LastTransitionTime = previous?.Status == text && previous.LastTransitionTime is { } t ? t : now,
        };
    }
}
