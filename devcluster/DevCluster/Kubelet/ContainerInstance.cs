namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// One started instance of a container, as the supervisor sees it whatever runs it: a local process
/// (<see cref="LocalProcess"/>) or a detached podman container watched through its conmon (<see cref="PodmanContainer"/>).
/// </summary>
internal interface IContainerInstance
{
    /// <summary>
    /// The host process that stands for the instance: a local process's main process (which leads its process group),
    /// a podman container's conmon.
    /// </summary>
    int Pid { get; }

    /// <summary>Completes with the exit code (128 + signal when a signal ended it) once the instance has ended.</summary>
    Task<int> Exited { get; }

    /// <summary>
    /// The kubelet's termination contract: SIGTERM to the main process, up to <paramref name="grace"/> to exit, then
    /// SIGKILL; completes when the instance has ended.
    /// </summary>
    Task StopAsync(TimeSpan grace);
}
