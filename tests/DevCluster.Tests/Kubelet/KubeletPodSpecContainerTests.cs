using k8s;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>
/// What the pod spec says is what the container gets, on the kubelet's container runtime (podman): images pulled from
/// a registry that wants a login through imagePullSecrets, env from ConfigMaps and Secrets, runAsNonRoot against the
/// image's user, and runAsUser/runAsGroup, dropped capabilities and a read-only root probed from inside the container.
/// The images are <see cref="PrivateRegistry"/>'s two tiny shells.
/// </summary>
public sealed class KubeletPodSpecContainerTests(PrivateRegistry registry) : IClassFixture<PrivateRegistry>
{
    [ContainerEngineFact]
    public async Task ImagePullSecrets_LogInToAPrivateRegistry_AndWithoutThemThePodIsImagePullBackOffWithTheRegistrysUnauthorized()
    {
        await registry.ReadyAsync();
        await using var cluster = await KubeletTestCluster.StartAsync(new ContainerRuntimeOptions { ContainersConf = ContainerEngine.ContainersConf });
        var created = await cluster.KubectlAsync("create", "secret", "docker-registry", "regcred", $"--docker-server={registry.Address}",
            $"--docker-username={PrivateRegistry.User}", $"--docker-password={PrivateRegistry.Password}");
        Assert.True(created.Code == 0, created.Output);
        V1Pod Pod(string name, params string[] pullSecrets) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node, TerminationGracePeriodSeconds = 2,
                ImagePullSecrets = pullSecrets.Select(s => new V1LocalObjectReference { Name = s }).ToList(),
                // Always: the image is in podman's store already (pushed from it), so only Always goes to the registry.
                Containers = [new V1Container { Name = "main", Image = registry.RootImage, ImagePullPolicy = "Always", Command = ["sleep", "60"] }],
            },
        };
        await cluster.CreateAsync(Pod("with-secret", "regcred"));
        await cluster.CreateAsync(Pod("without-secret"));
        await cluster.CreateAsync(Pod("missing-secret", "no-such-secret"));

        var running = await cluster.WaitForPodAsync("with-secret", KubeletTestCluster.IsReady, "Ready after a pull with the pull secret's login", TimeSpan.FromSeconds(120));
        var refused = await cluster.WaitForPodAsync("without-secret", p => KubeletTestCluster.MainContainer(p)?.State?.Waiting?.Reason == "ImagePullBackOff",
            "ImagePullBackOff without a login", TimeSpan.FromSeconds(120));
        await cluster.WaitForPodAsync("missing-secret", p => KubeletTestCluster.MainContainer(p)?.State?.Waiting?.Reason == "ImagePullBackOff",
            "ImagePullBackOff with a pull secret that does not exist", TimeSpan.FromSeconds(120));

        Assert.StartsWith($"{registry.RootImage[..registry.RootImage.LastIndexOf(':')]}@sha256:", KubeletTestCluster.MainContainer(running)!.ImageID);
        var message = KubeletTestCluster.MainContainer(refused)!.State.Waiting.Message;
        Assert.StartsWith($"Back-off pulling image \"{registry.RootImage}\": ErrImagePull: Failed to pull image \"{registry.RootImage}\": ", message);
        Assert.Contains("unauthorized: authentication required", message); // the registry's own 401 answer
        var describe = await cluster.KubectlAsync("describe", "pod", "missing-secret");
        Assert.Contains("Unable to retrieve some image pull secrets (no-such-secret); attempting to pull the image may not succeed.", describe.Output);
        Assert.Contains("unauthorized: authentication required", describe.Output);
    }

    [ContainerEngineFact]
    public async Task Container_GetsEnvFromConfigMapsAndSecrets_RunsAsItsUserAndGroup_WithoutCapabilities_OnAReadOnlyRoot()
    {
        await registry.ReadyAsync();
        await using var cluster = await KubeletTestCluster.StartAsync(new ContainerRuntimeOptions { ContainersConf = ContainerEngine.ContainersConf });
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(registry.PullSecret("regcred"), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["LOG_LEVEL"] = "debug", ["MODE"] = "fast" },
        }, "default");
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "creds" }, Data = new Dictionary<string, byte[]> { ["TOKEN"] = "t0ken"u8.ToArray() },
        }, "default");
        await cluster.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "probe" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node, TerminationGracePeriodSeconds = 2, ImagePullSecrets = [new V1LocalObjectReference { Name = "regcred" }],
                SecurityContext = new V1PodSecurityContext { RunAsUser = 1234, RunAsGroup = 5678 },
                Containers =
                [
                    new V1Container
                    {
                        Name = "main", Image = registry.RootImage,
                        Command = ["sh", "-c", "id; field() { while read k v; do [ \"$k\" = \"$1\" ] && echo \"$k $v\"; done; }; field CapEff: < /proc/self/status; " +
                            "echo \"app_MODE=$app_MODE LOG_LEVEL=$LOG_LEVEL TOKEN=$TOKEN URL=$URL\"; (echo x > /written) 2>/dev/null || echo root read-only; exec sleep 60"],
                        EnvFrom =
                        [
                            new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" }, Prefix = "app_" },
                            new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "creds" } },
                            new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "absent", Optional = true } },
                        ],
                        Env =
                        [
                            new V1EnvVar { Name = "LOG_LEVEL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "LOG_LEVEL" } } },
                            new V1EnvVar { Name = "URL", Value = "http://x/?mode=$(app_MODE)" },
                        ],
                        SecurityContext = new V1SecurityContext { ReadOnlyRootFilesystem = true, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
                    },
                ],
            },
        });

        await cluster.WaitForPodAsync("probe", KubeletTestCluster.IsReady, "Ready", TimeSpan.FromSeconds(120));
        var logs = await Eventually.ValueAsync(async () => (await cluster.KubectlAsync("logs", "probe")).Output is { } output && output.Contains("root") ? output : null,
            "the container's probe lines in kubectl logs", TimeSpan.FromSeconds(30));

        Assert.Equal(
            "uid=1234(1234) gid=5678(5678) groups=5678(5678)\nCapEff: 0000000000000000\napp_MODE=fast LOG_LEVEL=debug TOKEN=t0ken URL=http://x/?mode=fast\nroot read-only\n", logs);
        // conmon recorded when each line was printed: kubectl logs --timestamps shows it, in UTC, as a kubelet does.
        var timed = (await cluster.KubectlAsync("logs", "probe", "--timestamps", "--tail", "1")).Output;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z root read-only\n$", timed);
    }

    [ContainerEngineFact]
    public async Task RunAsNonRoot_RefusesAnImageThatRunsAsRoot_AndRunsOneWhoseUserIs65532()
    {
        await registry.ReadyAsync();
        await using var cluster = await KubeletTestCluster.StartAsync(new ContainerRuntimeOptions { ContainersConf = ContainerEngine.ContainersConf });
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(registry.PullSecret("regcred"), "default");
        V1Pod Pod(string name, string image) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node, TerminationGracePeriodSeconds = 2, ImagePullSecrets = [new V1LocalObjectReference { Name = "regcred" }],
                SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true },
                Containers = [new V1Container { Name = "main", Image = image, Command = ["sh", "-c", "id -u; exec sleep 60"] }],
            },
        };
        await cluster.CreateAsync(Pod("root-image", registry.RootImage));
        await cluster.CreateAsync(Pod("nonroot-image", registry.NonRootImage));

        var refused = await cluster.WaitForPodAsync("root-image", p => KubeletTestCluster.MainContainer(p)?.State?.Waiting?.Reason == "CreateContainerConfigError",
            "CreateContainerConfigError for the root image", TimeSpan.FromSeconds(120));
        await cluster.WaitForPodAsync("nonroot-image", KubeletTestCluster.IsReady, "Ready", TimeSpan.FromSeconds(120));
        var uid = await Eventually.ValueAsync(async () => (await cluster.KubectlAsync("logs", "nonroot-image")).Output is { Length: > 0 } output ? output : null,
            "the non-root container's uid in kubectl logs");

        Assert.Equal($"container has runAsNonRoot and image will run as root (pod: \"root-image_default({refused.Metadata.Uid})\", container: main)",
            KubeletTestCluster.MainContainer(refused)!.State.Waiting.Message);
        Assert.Equal("65532\n", uid);
    }
}
