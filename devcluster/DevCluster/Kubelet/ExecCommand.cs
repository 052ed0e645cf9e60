namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// What <c>kubectl exec</c> runs for a container, from how the container was launched. With the container runtime:
/// <c>podman exec [--interactive] NAME CMD…</c>, inside the container's namespaces, as its user, with its env and
/// working directory. As a process (the default): CMD itself on this machine, with the container's environment and
/// working folder, as the dev cluster's user; not isolated in any way, as the container itself is not. Pure.
/// </summary>
public static class ExecCommand
{
    public static LaunchPlan Compose(LaunchPlan container, IReadOnlyList<string> command, bool stdin)
    {
        if (command.Count == 0) throw new ArgumentException("exec needs a command", nameof(command));
        if (container.ExecPrefix is { Count: >= 3 } prefix && prefix[1] == "exec")
        {
            List<string> arguments = ["exec", .. stdin ? ["--interactive"] : Array.Empty<string>(), .. prefix.Skip(2), .. command];
            return new LaunchPlan(prefix[0], arguments, container.Environment, container.WorkingDirectory);
        }
        return new LaunchPlan(command[0], [.. command.Skip(1)], container.Environment, container.WorkingDirectory);
    }
}
