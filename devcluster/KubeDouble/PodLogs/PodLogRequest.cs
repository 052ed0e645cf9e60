namespace ModelOperator.KubeDouble.PodLogs;

/// <summary>One <c>GET …/pods/{name}/log</c> request, its container already resolved against the pod's spec.</summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Pod">The pod's name.</param>
/// <param name="Uid">The pod's uid (a pod recreated under the same name is another pod).</param>
/// <param name="Container">The container whose log is asked for.</param>
/// <param name="Follow">Keep streaming until the container stops (<c>follow=true</c>, <c>kubectl logs -f</c>).</param>
/// <param name="Previous">The previous, terminated instance of the container (<c>--previous</c>).</param>
/// <param name="TailLines">Only the last N lines (<c>--tail N</c>); all when null.</param>
/// <param name="LimitBytes">Stop after this many bytes; no limit when null.</param>
/// <param name="Timestamps">Each line after the time it was printed (<c>timestamps=true</c>, <c>kubectl logs --timestamps</c>), where the log records it.</param>
public sealed record PodLogRequest(string Namespace, string Pod, string Uid, string Container, bool Follow, bool Previous, long? TailLines, long? LimitBytes,
    bool Timestamps = false);
