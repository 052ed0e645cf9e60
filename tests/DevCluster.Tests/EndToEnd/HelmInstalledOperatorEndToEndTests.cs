using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.DevCluster.Kubelet;
using ModelOperator.DevCluster.Tests.ControlPlane;

namespace ModelOperator.DevCluster.Tests.EndToEnd;

/// <summary>
/// The install path of `make dev-cluster`: the stock helm installs charts/model-operator into a dev cluster, the
/// kubelet runs the chart's operator pods as containers of the operator image built from operator/Dockerfile and
/// pulled from the registry (processes of the built operator where podman cannot run), with in-cluster config
/// (service account token over TLS), the leader is Ready, and it serves a ModelDeployment applied with kubectl from
/// the runtime image. One test: it is slow.
/// </summary>
public sealed class HelmInstalledOperatorEndToEndTests
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task HelmInstalledOperator_RunsAsReadyPods_AndServesAModelDeployment()
    {
        var loggers = Environment.GetEnvironmentVariable("DEVCLUSTER_TEST_LOG") == "1"
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }))
            : NullLoggerFactory.Instance;
        var registry = await BuiltImages.RegistryForPodsAsync(Console.WriteLine);
        var containers = registry is null ? null
            : ContainerRuntimeOptions.PullingProjectImagesFrom(registry, ContainerEngine.ContainersConf);
        await using var cluster = await DevClusterHost.StartAsync(new DevClusterOptions
        {
            Kubelet = new KubeletOptions { BackOffBase = TimeSpan.FromMilliseconds(500), BackOffMax = TimeSpan.FromSeconds(5), TerminationDrainDelay = TimeSpan.FromSeconds(1), Containers = containers },
        }, loggers: loggers);
        var helm = Environment.GetEnvironmentVariable("HELM") is { Length: > 0 } fromEnv ? fromEnv : RepoPaths.Of(".tools", "bin", "helm");
        Assert.True(File.Exists(helm), $"helm not found at {helm}: run `make kubectl` (it fetches kubectl and helm) or set HELM");
        async Task<string> KubectlAsync(params string[] args)
        {
            var (code, stdout, stderr) = await Kubectl.RunAsync(cluster.KubeconfigPath, args);
            Assert.True(code == 0, $"kubectl {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
            return stdout;
        }

        await HelmOperatorInstall.InstallAsync(helm, RepoPaths.Of("charts", "model-operator"), cluster.KubeconfigPath, cluster.Context.StateDirectory,
            Path.Combine(cluster.Context.StateDirectory, "helm-install.log"), CancellationToken.None);
        // Four operator and activator containers start at once; generous for a busy 2-core machine.
        var leader = await HelmOperatorInstall.WaitForLeadingPodAsync(cluster.Client, TimeSpan.FromMinutes(4), CancellationToken.None);

        // The leader is Ready; the standby may still be starting (its readiness is its own probe's, not the lease's).
        await KubectlAsync("wait", "--for=condition=Ready", "pod", "-l", "app.kubernetes.io/name=model-operator", "-n", "model-operator", "--timeout=120s");
        var operatorPods = (await KubectlAsync("get", "pods", "-n", "model-operator", "-l", "app.kubernetes.io/name=model-operator", "-o", "wide", "--no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(2, operatorPods.Count); // the chart's replicaCount: a leader and a standby
        Assert.All(operatorPods, p => Assert.Equal(["1/1", "Running", "0"], p[1..4]));
        Assert.All(operatorPods, p => Assert.Equal("cpu-node-1", p[6])); // the GPU nodes' taint keeps the operator off them
        Assert.All(operatorPods, p => Assert.StartsWith("127.10.", p[5]));
        Assert.Contains(leader.Metadata.Name, operatorPods.Select(p => p[0]));
        // The scale-to-zero activator: its own Deployment of two (the chart's activator.replicaCount), the built model-activator.
        await KubectlAsync("wait", "--for=condition=Ready", "pod", "-l", "app.kubernetes.io/name=model-activator", "-n", "model-operator", "--timeout=60s");
        Assert.Equal(2, (await KubectlAsync("get", "pods", "-n", "model-operator", "-l", "app.kubernetes.io/name=model-activator", "--no-headers"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var leaderLog = await KubectlAsync("logs", "-n", "model-operator", leader.Metadata.Name);
        Assert.Contains("Acquired leader lease", leaderLog);
        Assert.Contains($"endpoints at http://{leader.Status.PodIP}:8081/", leaderLog); // the chart's 0.0.0.0 bound to the pod's own IP

        await File.WriteAllTextAsync(Path.Combine(cluster.Context.StateDirectory, "cnn.yaml"),
            OperatorOnDevCluster.ModelDeploymentYaml("cnn", "mnist-cnn.onnx", gpus: 0, replicas: 1));
        await KubectlAsync("apply", "-f", Path.Combine(cluster.Context.StateDirectory, "cnn.yaml"));
        await KubectlAsync("wait", "--for=condition=Ready", "mdep/cnn", $"--timeout={(int)ReadyWithin.TotalSeconds}s");

        var runtimePod = (await KubectlAsync("get", "pods", "-l", "serving.modeloperator.io/name=cnn", "--no-headers")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["1/1", "Running"], runtimePod[1..3]);
        var describe = await KubectlAsync("describe", "pod", runtimePod[0]);
        Assert.Matches(@"serving\.modeloperator\.io/admitted\s+True", describe); // admitted by the operator pod
        Assert.Contains("Reconciled ModelDeployment default/cnn", await KubectlAsync("logs", "-n", "model-operator", leader.Metadata.Name));
        // The chart's operator writes the pods' NetworkPolicy: the management port (a shadow's mirror target) is for its own pods alone.
        var managementFrom = await KubectlAsync("get", "networkpolicy", "cnn-runtime", "-o",
            "jsonpath={.spec.ingress[1].ports[0].port} {.spec.ingress[1].from[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name} {.spec.ingress[1].from[0].podSelector.matchLabels.app\\.kubernetes\\.io/name}");
        Assert.Equal("8082 model-operator model-operator", managementFrom.Trim());

        if (registry is null) return;
        // What ran is what was pushed: each pod's imageID is the digest the registry serves for the image it names.
        var images = new BuiltImages();
        var operatorImage = await images.GetAsync("model-operator");
        var runtimeImage = await images.GetAsync("model-runtime");
        var operatorIds = await KubectlAsync("get", "pods", "-n", "model-operator", "-l", "app.kubernetes.io/name=model-operator", "-o", "jsonpath={.items[*].status.containerStatuses[0].imageID}");
        Assert.Equal([$"{registry}/model-operator@{operatorImage.Digest}", $"{registry}/model-operator@{operatorImage.Digest}"], operatorIds.Split(' '));
        Assert.Equal($"{registry}/model-runtime@{runtimeImage.Digest}",
            await KubectlAsync("get", "pod", runtimePod[0], "-o", "jsonpath={.status.containerStatuses[0].imageID}"));
        Assert.StartsWith("podman://", await KubectlAsync("get", "pod", leader.Metadata.Name, "-n", "model-operator", "-o", "jsonpath={.status.containerStatuses[0].containerID}"));
    }
}
