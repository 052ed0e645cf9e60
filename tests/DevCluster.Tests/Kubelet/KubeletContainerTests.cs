using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>
/// The kubelet's opt-in container runtime (<see cref="KubeletOptions.Containers"/>): pods run as podman containers of
/// the images <c>make images</c> built from the Dockerfiles and pushed to a registry, pulled from there through the
/// mirror of <c>ghcr.io/modeloperator</c>, as a user sees them through the API and podman.
/// </summary>
public sealed class KubeletContainerTests(BuiltImages images) : IClassFixture<BuiltImages>
{
    [ContainerEngineFact]
    public async Task RuntimePod_RunsThePushedImage_AsUid65532_OnAReadOnlyRoot_WithItsModelMountedReadOnly_AWritableEmptyDir_AndServesOnItsPodIp()
    {
        var image = await images.GetAsync("model-runtime");
        await using var cluster = await KubeletTestCluster.StartAsync(Containers());
        var models = RepoPaths.Of(".artifacts", "sample-models");
        await cluster.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "mlp-c" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node, TerminationGracePeriodSeconds = 10,
                SecurityContext = new V1PodSecurityContext { RunAsUser = 65532, RunAsGroup = 65532 },
                Volumes =
                [
                    new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                    new V1Volume { Name = "models", HostPath = new V1HostPathVolumeSource { Path = models } },
                ],
                Containers =
                [
                    new V1Container
                    {
                        Name = "runtime", Image = DefaultImages.RuntimeImage,
                        Args = ["serve", "--model", "/models/mlp.onnx", "--name", "mlp", "--port", "8080", "--grpc-port", "0", "--bench-iterations", "0"],
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                        SecurityContext = new V1SecurityContext { ReadOnlyRootFilesystem = true, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
                        VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }, new V1VolumeMount { Name = "models", MountPath = "/models", ReadOnlyProperty = true }],
                        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/v2/health/ready", Port = "http" }, PeriodSeconds = 1 },
                        Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") } },
                    },
                ],
            },
        });

        var started = System.Diagnostics.Stopwatch.StartNew();
        var pod = await cluster.WaitForPodAsync("mlp-c", KubeletTestCluster.IsReady, "Ready through the readiness probe", TimeSpan.FromSeconds(180));
        Console.WriteLine($"runtime container pod Ready {started.Elapsed.TotalSeconds:0.0} s after create");

        var status = KubeletTestCluster.MainContainer(pod)!;
        var repository = image.Reference[..image.Reference.LastIndexOf(':')];
        Assert.Equal($"{repository}@{image.Digest}", status.ImageID);
        Assert.StartsWith("podman://k8s_runtime_mlp-c_default_", status.ContainerID);
        var container = status.ContainerID["podman://".Length..];
        using var http = new HttpClient();
        Assert.Equal(200, (int)(await http.GetAsync($"http://{pod.Status.PodIP}:8080/v2/health/ready")).StatusCode);
        var uid = await ContainerEngine.RunAsync("exec", container, "id", "-u");
        var root = await ContainerEngine.RunAsync("exec", container, "touch", "/app/written");
        var model = await ContainerEngine.RunAsync("exec", container, "touch", "/models/written");
        var scratch = await ContainerEngine.RunAsync("exec", container, "touch", "/tmp/written"); // an emptyDir is 0777, as a kubelet makes it
        var limit = await ContainerEngine.RunAsync("container", "inspect", "--format", "{{.HostConfig.Memory}}", container);
        Assert.Equal("65532", uid.Stdout.Trim());
        Assert.Contains("Read-only file system", root.Output);
        Assert.Contains("Read-only file system", model.Output);
        Assert.True(scratch.ExitCode == 0, $"uid 65532 could not write to its emptyDir: {scratch.Output}");
        Assert.Equal($"{1L << 30}", limit.Stdout.Trim());
    }

    [ContainerEngineFact]
    public async Task ContainerOverItsMemoryLimit_IsOOMKilled_Exit137_AndRestartedWithItsRestartCounted()
    {
        await images.GetAsync("model-runtime");
        await using var cluster = await KubeletTestCluster.StartAsync(Containers());
        await cluster.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "hog" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node, TerminationGracePeriodSeconds = 5,
                Containers =
                [
                    new V1Container
                    {
                        // dd holds one 256 MiB block in memory: four times the limit.
                        Name = "main", Image = DefaultImages.RuntimeImage, Command = ["dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"],
                        Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } },
                    },
                ],
            },
        });

        var pod = await cluster.WaitForPodAsync("hog", p => KubeletTestCluster.MainContainer(p) is { RestartCount: >= 1, LastState.Terminated: not null },
            "restarted after being OOM-killed", TimeSpan.FromSeconds(120));

        var last = KubeletTestCluster.MainContainer(pod)!.LastState.Terminated;
        Assert.Equal("OOMKilled", last.Reason);
        Assert.Equal(137, last.ExitCode);
    }

    [ContainerEngineFact]
    public async Task StockKubectl_ExecsInTheContainer_PortForwardsToIt_AndTopsItFromItsCgroup()
    {
        await images.GetAsync("model-runtime");
        await using var cluster = await KubeletTestCluster.StartAsync(Containers());
        await cluster.CreateNodeAsync();
        await cluster.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "mlp-k" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node, TerminationGracePeriodSeconds = 10,
                SecurityContext = new V1PodSecurityContext { RunAsUser = 65532, RunAsGroup = 65532 },
                Volumes = [new V1Volume { Name = "models", HostPath = new V1HostPathVolumeSource { Path = RepoPaths.Of(".artifacts", "sample-models") } }],
                Containers =
                [
                    new V1Container
                    {
                        Name = "runtime", Image = DefaultImages.RuntimeImage,
                        Args = ["serve", "--model", "/models/mlp.onnx", "--name", "mlp", "--port", "8080", "--grpc-port", "0", "--bench-iterations", "0"],
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                        SecurityContext = new V1SecurityContext { ReadOnlyRootFilesystem = true },
                        VolumeMounts = [new V1VolumeMount { Name = "models", MountPath = "/models", ReadOnlyProperty = true }],
                        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/v2/health/ready", Port = "http" }, PeriodSeconds = 1 },
                    },
                ],
            },
        });
        await cluster.WaitForPodAsync("mlp-k", KubeletTestCluster.IsReady, "Ready through the readiness probe", TimeSpan.FromSeconds(180));

        var whoAmI = await cluster.KubectlAsync("exec", "mlp-k", "--", "sh", "-c", "echo uid=$(id -u) host=$(uname -n)");
        var failing = await cluster.KubectlAsync("exec", "mlp-k", "--", "sh", "-c", "touch /app/written; exit 5");
        int ready;
        await using (var forward = await KubectlPortForward.StartAsync(cluster.Host.KubeconfigPath, "pod/mlp-k", ":8080"))
        {
            using var http = new HttpClient();
            ready = (int)(await http.GetAsync($"http://127.0.0.1:{forward.LocalPort}/v2/health/ready")).StatusCode;
        }
        var top = await cluster.KubectlAsync("top", "pods");

        Assert.True(whoAmI.Code == 0, whoAmI.Output);
        Assert.Contains("uid=65532 host=mlp-k", whoAmI.Output);
        Assert.Equal(5, failing.Code);
        Assert.Contains("Read-only file system", failing.Output);
        Assert.Equal(200, ready);
        var line = System.Text.RegularExpressions.Regex.Match(top.Output, @"^mlp-k\s+\d+m\s+(\d+)Mi\s*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(line.Success && int.Parse(line.Groups[1].Value) > 10, top.Output);
    }

    private ContainerRuntimeOptions Containers() => ContainerRuntimeOptions.PullingProjectImagesFrom(images.Registry, ContainerEngine.ContainersConf);
}
