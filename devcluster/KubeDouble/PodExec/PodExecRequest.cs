namespace ModelOperator.KubeDouble.PodExec;

/// <summary>One <c>…/pods/{name}/exec</c> request, its container already resolved against the pod's spec.</summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Pod">The pod's name.</param>
/// <param name="Uid">The pod's uid.</param>
/// <param name="Container">The container to run the command in.</param>
/// <param name="Command">The command and its arguments (<c>kubectl exec POD -- CMD ARGS…</c>).</param>
/// <param name="Stdin">Whether the client sends stdin (<c>-i</c>).</param>
public sealed record PodExecRequest(string Namespace, string Pod, string Uid, string Container, IReadOnlyList<string> Command, bool Stdin);
