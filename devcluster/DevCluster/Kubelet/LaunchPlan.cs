namespace ModelOperator.DevCluster.Kubelet;

/// <summary>A container as a local process: the program, its arguments, its whole environment and working folder.</summary>
public sealed record LaunchPlan(string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory);

/// <summary>A volume mount resolved to a local folder.</summary>
/// <param name="MountPath">The path inside the container, as the pod spec writes it.</param>
/// <param name="LocalPath">The folder on this machine that stands for it.</param>
public sealed record LocalMount(string MountPath, string LocalPath);

/// <summary>The container cannot be started as configured (reported as waiting reason CreateContainerConfigError).</summary>
public sealed class ContainerConfigException(string message) : Exception(message);
