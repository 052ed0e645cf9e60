namespace ModelOperator.KubeDouble.PodLogs;

/// <summary>
/// Serves <c>pods/log</c>. The real API server proxies that request to the kubelet of the pod's node; the double
/// hands it to whatever registered here (the dev cluster's kubelet), through <see cref="KubeApiServer.PodLogs"/>.
/// </summary>
public interface IPodLogSource
{
    /// <summary>
    /// Writes the container's log to <paramref name="output"/> as the request asks (previous instance, last lines,
    /// following until the container stops or <paramref name="ct"/> is cancelled). Throws
    /// <see cref="PodLogException"/> when there is nothing to serve, with the message the client should see.
    /// </summary>
    Task StreamAsync(PodLogRequest request, Stream output, CancellationToken ct);
}
