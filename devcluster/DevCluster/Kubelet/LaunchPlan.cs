namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// A container as a local process: the program, its arguments, its whole environment and working folder; with a
/// container runtime, <paramref name="ExecPrefix"/> is what runs a command inside the container (exec probes).
/// </summary>
public sealed record LaunchPlan(string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory,
    IReadOnlyList<string>? ExecPrefix = null)
{
    /// <summary>envFrom keys left out as invalid variable names, one message per source (an InvalidEnvironmentVariableNames event each).</summary>
    public IReadOnlyList<string> SkippedEnvKeys { get; init; } = [];
}

/// <summary>A volume mount resolved to a local folder.</summary>
/// <param name="MountPath">The path inside the container, as the pod spec writes it.</param>
/// <param name="LocalPath">The folder on this machine that stands for it.</param>
/// <param name="ReadOnly">Whether a container gets it read-only (honoured by the container runtime only).</param>
public sealed record LocalMount(string MountPath, string LocalPath, bool ReadOnly = false);

/// <summary>The container cannot be started as configured (reported as waiting reason CreateContainerConfigError).</summary>
public sealed class ContainerConfigException(string message) : Exception(message);
