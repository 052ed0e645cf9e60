namespace ModelOperator.KubeDouble.PodExec;

/// <summary>
/// Runs <c>pods/exec</c>. The real API server proxies that request to the kubelet of the pod's node; the double hands
/// it to whatever registered here (the dev cluster's kubelet), through <see cref="KubeApiServer.PodExec"/>.
/// </summary>
public interface IPodExecSource
{
    /// <summary>
    /// Resolves the running container the command is to run in. Throws <see cref="PodExecException"/> when it cannot
    /// run there (no such container, not running), answered before the connection is upgraded, so kubectl prints it.
    /// </summary>
    IPodExecution Prepare(PodExecRequest request);
}

/// <summary>One command, ready to run in its container.</summary>
public interface IPodExecution
{
    /// <summary>
    /// Runs the command to its end and returns its exit code. <paramref name="stdin"/> is null unless the client asked
    /// for stdin; it ends when the client closes its stdin. Throws <see cref="PodExecException"/> when the command
    /// cannot start (its message is what kubectl prints).
    /// </summary>
    Task<int> RunAsync(Stream? stdin, Stream stdout, Stream stderr, CancellationToken ct);
}
