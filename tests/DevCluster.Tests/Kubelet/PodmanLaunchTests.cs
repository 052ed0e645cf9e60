using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>What a pod spec becomes on podman's command line (the opt-in container runtime); pure.</summary>
public sealed class PodmanLaunchTests
{
    private static readonly ContainerRuntimeOptions Runtime = new() { Podman = "/usr/bin/podman", ContainersConf = "/repo/images/containers.conf" };

    [Fact]
    public void Compose_GivesTheContainerItsUserReadOnlyRootMountsLimitsAndCommand_OnThePodIp()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "team" },
            Spec = new V1PodSpec { SecurityContext = new V1PodSecurityContext { RunAsUser = 1000, RunAsGroup = 2000 }, Containers = [] },
        };
        var container = new V1Container
        {
            Name = "main", Image = "ghcr.io/modeloperator/model-runtime:0.1.0",
            Command = ["model-runtime"], Args = ["serve", "--host", "0.0.0.0", "--name", "$(POD_NAME)"],
            Env = [new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }],
            WorkingDir = "/work",
            SecurityContext = new V1SecurityContext { RunAsUser = 65532, ReadOnlyRootFilesystem = true, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi"), ["cpu"] = new("500m") } },
        };
        IReadOnlyList<LocalMount> mounts = [new("/tmp", "/state/pods/web-1/volumes/tmp"), new("/models", "/data/models", ReadOnly: true)];

        var plan = PodmanLaunch.Compose(pod, container, "127.0.0.1:5000/model-runtime:0.1.0", "k8s_main_web-1", "127.10.0.9", "127.0.0.2", mounts,
            "/state/pods/web-1", "/state/logs/team_web-1_u/main/0.log", Runtime, name => name == "PATH" ? "/usr/bin" : null);

        var args = string.Join(' ', plan.Arguments);
        Assert.Equal("/usr/bin/podman", plan.Program);
        Assert.Equal("/repo/images/containers.conf", plan.Environment["CONTAINERS_CONF"]);
        Assert.StartsWith("run --detach --replace --name k8s_main_web-1 --network host --hostname web-1 --pull never --cgroup-parent /devcluster/k8s_main_web-1", args);
        // Detached: conmon writes the output in the CRI format to the instance's log file, and its pid where the kubelet watches it.
        Assert.Contains("--log-driver k8s-file --log-opt path=/state/logs/team_web-1_u/main/0.log --conmon-pidfile /state/pods/web-1/k8s_main_web-1.conmon.pid", args);
        Assert.Contains("--user 65532:2000", args); // the container's runAsUser over the pod's; the pod's runAsGroup
        Assert.Contains("--read-only", plan.Arguments);
        Assert.Contains("--cap-drop ALL", args);
        Assert.Contains($"--memory {64 * 1024 * 1024} --memory-swap {64 * 1024 * 1024}", args);
        Assert.Contains("--cpus 0.5", args);
        Assert.Contains("--volume /state/pods/web-1/volumes/tmp:/tmp --volume /data/models:/models:ro", args);
        Assert.Contains("--env POD_IP=127.10.0.9", args);
        Assert.Contains("--env MODEL_RUNTIME_HOST=127.10.0.9", args);
        Assert.Contains("--env POD_NAME=web-1", args);
        Assert.Contains("--workdir /work", args);
        Assert.EndsWith("--entrypoint [\"model-runtime\"] 127.0.0.1:5000/model-runtime:0.1.0 serve --host 127.10.0.9 --name web-1", args);
        Assert.Equal(["/usr/bin/podman", "exec", "k8s_main_web-1"], plan.ExecPrefix);
    }

    [Theory]
    [InlineData(null, null, "seccomp=unconfined")] // a kubelet without --seccomp-default filters nothing the pod did not ask for
    [InlineData("Unconfined", null, "seccomp=unconfined")]
    [InlineData("RuntimeDefault", null, null)] // podman's own default filter
    [InlineData("Unconfined", "RuntimeDefault", null)] // the container's profile over the pod's
    [InlineData("RuntimeDefault", "Unconfined", "seccomp=unconfined")]
    public void Compose_AppliesTheSeccompProfile_AsAKubeletDoes(string? podProfile, string? containerProfile, string? securityOpt)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "team" },
            Spec = new V1PodSpec { SecurityContext = new V1PodSecurityContext { SeccompProfile = podProfile is null ? null : new V1SeccompProfile { Type = podProfile } }, Containers = [] },
        };
        var container = new V1Container
        {
            Name = "main", Image = "img:1",
            SecurityContext = containerProfile is null ? null : new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = containerProfile } },
        };

        var plan = PodmanLaunch.Compose(pod, container, "img:1", "k8s_main_web-1", "127.10.0.9", "127.0.0.2", [], "/state/pods/web-1", "/state/logs/team_web-1_u/main/0.log", Runtime, _ => null);

        var options = plan.Arguments.Zip(plan.Arguments.Skip(1)).Where(p => p.First == "--security-opt").Select(p => p.Second).ToList();
        Assert.Equal(securityOpt is null ? [] : [securityOpt], options);
    }

    [Fact]
    public void Compose_RefusesALocalhostSeccompProfile_NamingIt()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web-1" }, Spec = new V1PodSpec { Containers = [] } };
        var container = new V1Container
        {
            Name = "main", Image = "img:1",
            SecurityContext = new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = "Localhost", LocalhostProfile = "profiles/audit.json" } },
        };

        var error = Assert.Throws<ContainerConfigException>(() =>
            PodmanLaunch.Compose(pod, container, "img:1", "k8s_main_web-1", "127.10.0.9", "127.0.0.2", [], "/state/pods/web-1", "/state/logs/team_web-1_u/main/0.log", Runtime, _ => null));

        Assert.Contains("container main: seccompProfile Localhost (profiles/audit.json) is not supported", error.Message);
    }

    [Theory]
    [InlineData("ghcr.io/modeloperator/model-runtime:0.1.0", "127.0.0.1:5000/model-runtime:0.1.0")]
    [InlineData("ghcr.io/modeloperator/team/model-runtime@sha256:abc", "127.0.0.1:5000/team/model-runtime@sha256:abc")]
    [InlineData("ghcr.io/modeloperatorx/other:1", "ghcr.io/modeloperatorx/other:1")]
    [InlineData("docker.io/library/busybox:1", "docker.io/library/busybox:1")]
    public void Resolve_PullsTheProjectsImagesThroughTheMirror_AndOthersAsNamed(string image, string pulled) =>
        Assert.Equal(pulled, new ContainerRuntimeOptions().Resolve(image));

    [Fact]
    public void Compose_RefusesAPrivilegedContainer_SayingWhich()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [] } };
        var container = new V1Container { Name = "c", SecurityContext = new V1SecurityContext { Privileged = true } };

        var error = Assert.Throws<ContainerConfigException>(() => PodmanLaunch.Compose(pod, container, "img", "n", "127.10.0.2", "127.0.0.1", [], "/p", "/p.log", Runtime, _ => null));

        Assert.Contains("container c: privileged", error.Message);
    }

    [Fact]
    public void Compose_RunAsGroupAlone_KeepsTheImagesUser_AndEnvFromReachesTheCommandLine()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "team" },
            Spec = new V1PodSpec { SecurityContext = new V1PodSecurityContext { RunAsGroup = 5678 }, Containers = [] },
        };
        var container = new V1Container
        {
            Name = "c", EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" }, Prefix = "APP_" }],
        };
        var sources = new ConfigSources(new Dictionary<string, IDictionary<string, string>?> { ["settings"] = new Dictionary<string, string> { ["MODE"] = "fast" } },
            new Dictionary<string, IDictionary<string, byte[]>?>());

        var nonRoot = PodmanLaunch.Compose(pod, container, "img", "n", "127.10.0.2", "127.0.0.1", [], "/p", "/p.log", Runtime, _ => null, sources: sources, imageUser: "65532:65532");
        var root = PodmanLaunch.Compose(pod, container, "img", "n", "127.10.0.2", "127.0.0.1", [], "/p", "/p.log", Runtime, _ => null, sources: sources, imageUser: "");

        Assert.Contains("--user 65532:5678", string.Join(' ', nonRoot.Arguments));
        Assert.Contains("--user 0:5678", string.Join(' ', root.Arguments));
        Assert.Contains("--env APP_MODE=fast", string.Join(' ', nonRoot.Arguments));
    }
}
