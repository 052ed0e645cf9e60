using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>What the kubelet knows about one container at a moment, as containerStatuses report it.</summary>
/// <param name="Name">The container's name.</param>
/// <param name="Image">The image as the spec names it.</param>
/// <param name="State">running, waiting or terminated now.</param>
/// <param name="LastState">How the previous instance ended; empty before the first restart.</param>
/// <param name="Ready">Whether the readiness probe (or, without one, a running start) passes.</param>
/// <param name="Started">Whether the startup probe (or, without one, the process start) passed.</param>
/// <param name="RestartCount">How often the container was restarted.</param>
/// <param name="ContainerId">devcluster://pid of the current or last instance.</param>
/// <param name="ImageId">The local program the image maps to.</param>
/// <param name="Finished">Whether it will not run again (terminated and not restarted under the restart policy, or stopped).</param>
public sealed record ContainerSnapshot(string Name, string Image, V1ContainerState State, V1ContainerState LastState, bool Ready, bool Started,
    int RestartCount, string? ContainerId, string? ImageId, bool Finished)
{
    public static ContainerSnapshot Waiting(string name, string image, string reason, string? message = null) =>
        new(name, image, new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } }, new V1ContainerState(),
            false, false, 0, null, null, false);
}
