using System.Globalization;
using System.Text.Json;
using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// Composes a container as a <c>podman run</c> of its image (the opt-in container runtime,
/// <see cref="KubeletOptions.Containers"/>): in the host network namespace (each pod keeps its own loopback IP, given
/// in POD_IP and MODEL_RUNTIME_HOST, and the wildcard 0.0.0.0 in args and env values bound to it as for processes),
/// with its own mount, PID, IPC and UTS namespaces; <c>command</c> as the entrypoint and <c>args</c> as its arguments
/// (<c>$(VAR)</c> expanded); envFrom and env (<see cref="ContainerEnvironment"/>); <c>workingDir</c>;
/// <c>securityContext</c>'s runAsUser/runAsGroup (container over pod; runAsGroup alone with the image's user),
/// readOnlyRootFilesystem and dropped or added capabilities; the volumes at their mountPath (read-only where the mount
/// says so, configMap, secret and the service account token always); the host mounts read-only at their own
/// path; and the memory and CPU limits as cgroup limits (no swap), so a container over its memory limit is killed.
/// Detached, its output in the CRI format in the instance's log file (<see cref="PodmanContainer"/>).
/// Pure: the podman command line is the plan's program and arguments.
/// </summary>
public static class PodmanLaunch
{
    public static LaunchPlan Compose(V1Pod pod, V1Container container, string image, string name, string podIp, string hostIp,
        IReadOnlyList<LocalMount> mounts, string podDirectory, string logFile, ContainerRuntimeOptions runtime, Func<string, string?> hostEnvironment, InClusterApi? api = null,
        ConfigSources? sources = null, string? imageUser = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["POD_IP"] = podIp,
            ["MODEL_RUNTIME_HOST"] = podIp,
        };
        if (api is not null)
        {
            env["KUBERNETES_SERVICE_HOST"] = api.Host;
            env["KUBERNETES_SERVICE_PORT"] = env["KUBERNETES_SERVICE_PORT_HTTPS"] = api.Port.ToString(CultureInfo.InvariantCulture);
        }
        var made = ContainerEnvironment.Make(pod, container, podIp, hostIp, env, sources, value => ContainerLaunch.BindWildcard(value, podIp));
        env = made.Variables;

        // Each container in a cgroup parent of its own (as a kubelet's pod cgroup), where its peak memory outlives it;
        // --replace removes a container of the same name a killed kubelet left behind, without a podman call of its own.
        // Detached, as a CRI runtime runs it: conmon alone stays, writes the output in the CRI format to the instance's
        // log file and its own pid where PodmanContainer watches it.
        List<string> args = ["run", "--detach", "--replace", "--name", name, "--network", "host", "--hostname", pod.Metadata.Name, "--pull", "never",
            "--cgroup-parent", PodmanRuntime.CgroupParent(name),
            "--log-driver", "k8s-file", "--log-opt", $"path={logFile}", "--conmon-pidfile", ConmonPidFile(podDirectory, name)];
        var security = container.SecurityContext;
        var podSecurity = pod.Spec.SecurityContext;
        var user = security?.RunAsUser ?? podSecurity?.RunAsUser;
        var group = security?.RunAsGroup ?? podSecurity?.RunAsGroup;
        // runAsGroup alone keeps the image's user (root where it names none) with that primary group.
        if (user is not null || group is not null)
        {
            var who = user?.ToString(CultureInfo.InvariantCulture) ?? (imageUser?.Split(':')[0] is { Length: > 0 } own ? own : "0");
            args.AddRange(["--user", group is null ? who : $"{who}:{group}"]);
        }
        if (security?.ReadOnlyRootFilesystem == true) args.Add("--read-only");
        foreach (var capability in security?.Capabilities?.Drop ?? []) args.AddRange(["--cap-drop", capability]);
        foreach (var capability in security?.Capabilities?.Add ?? []) args.AddRange(["--cap-add", capability]);
        args.AddRange(SeccompOptions(security?.SeccompProfile ?? podSecurity?.SeccompProfile, container.Name));
        if (security?.Privileged == true) throw new ContainerConfigException($"container {container.Name}: privileged containers are not supported by the dev cluster's kubelet");

        if (container.Resources?.Limits is { } limits)
        {
            if (limits.TryGetValue("memory", out var memory))
            {
                var bytes = memory.ToInt64().ToString(CultureInfo.InvariantCulture);
                args.AddRange(["--memory", bytes, "--memory-swap", bytes]);
            }
            if (limits.TryGetValue("cpu", out var cpu)) args.AddRange(["--cpus", cpu.ToDecimal().ToString(CultureInfo.InvariantCulture)]);
        }
        foreach (var mount in mounts)
        {
            var readOnly = mount.ReadOnly ? ":ro" : "";
            args.AddRange(["--volume", $"{mount.LocalPath}:{mount.MountPath}{readOnly}"]);
        }
        foreach (var (key, value) in env) args.AddRange(["--env", $"{key}={value}"]);
        if (container.WorkingDir is { Length: > 0 } dir) args.AddRange(["--workdir", dir]);
        if (container.Command is { Count: > 0 } command)
            args.AddRange(["--entrypoint", JsonSerializer.Serialize(command.Select(w => ContainerLaunch.Expand(w, env)).ToArray())]);
        args.Add(image);
        args.AddRange((container.Args ?? []).Select(w => ContainerLaunch.BindWildcard(ContainerLaunch.Expand(w, env), podIp)));

        var hostEnv = new Dictionary<string, string>(StringComparer.Ordinal) { ["CONTAINERS_CONF"] = runtime.ContainersConf };
        foreach (var variable in (string[])["PATH", "HOME", "TMPDIR", "XDG_RUNTIME_DIR"])
            if (hostEnvironment(variable) is { Length: > 0 } value) hostEnv[variable] = value;
        return new LaunchPlan(runtime.Podman, args, hostEnv, podDirectory, [runtime.Podman, "exec", name]) { SkippedEnvKeys = made.SkippedKeys };
    }

    /// <summary>Where the container's conmon writes its pid: in the pod's folder, one file per container instance.</summary>
    public static string ConmonPidFile(string podDirectory, string name) => Path.Combine(podDirectory, $"{name}.conmon.pid");

    /// <summary>
    /// The seccomp profile as a kubelet without <c>--seccomp-default</c> applies it: <c>RuntimeDefault</c> is the
    /// engine's default filter, no profile or <c>Unconfined</c> runs without one (podman would otherwise filter every
    /// container, which the pod did not ask for), and a <c>Localhost</c> profile, a file on a real node, is refused.
    /// </summary>
    private static IEnumerable<string> SeccompOptions(V1SeccompProfile? profile, string container) => profile?.Type switch
    {
        "RuntimeDefault" => [],
        null or "Unconfined" => ["--security-opt", "seccomp=unconfined"],
        "Localhost" => throw new ContainerConfigException($"container {container}: seccompProfile Localhost ({profile.LocalhostProfile}) is not supported by the dev cluster's kubelet (it has no /var/lib/kubelet/seccomp); use RuntimeDefault or Unconfined"),
        var other => throw new ContainerConfigException($"container {container}: unknown seccompProfile type \"{other}\" (RuntimeDefault, Unconfined or Localhost)"),
    };
}
