using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>
/// A dev cluster that runs only the kubelet (pods are created with spec.nodeName set, no scheduler needed), with the
/// image "busybox" mapped to /bin/sh, a short crash-loop back-off, and helpers to await what a user would see.
/// </summary>
internal sealed class KubeletTestCluster : IAsyncDisposable
{
    public const string Node = "cpu-node-1";
    public const string Shell = "busybox";

    private KubeletTestCluster(DevClusterHost host, KubeletComponent kubelet)
    {
        Host = host;
        Kubelet = kubelet;
    }

    public DevClusterHost Host { get; }
    public KubeletComponent Kubelet { get; }
    public Kubernetes Client => Host.Client;

    /// <summary>Starts it; with <paramref name="containers"/>, the kubelet runs pods as podman containers of their images.</summary>
    public static async Task<KubeletTestCluster> StartAsync(ContainerRuntimeOptions? containers = null)
    {
        var images = DefaultImages.Create();
        images[Shell] = ["/bin/sh"];
        var kubelet = new KubeletComponent();
        var host = await DevClusterHost.StartAsync(new DevClusterOptions
        {
            Images = images,
            Kubelet = new KubeletOptions { BackOffBase = TimeSpan.FromMilliseconds(200), BackOffMax = TimeSpan.FromSeconds(2), ShutdownGracePeriod = TimeSpan.FromSeconds(3), Containers = containers },
        }, [kubelet], loggers: Environment.GetEnvironmentVariable("DEVCLUSTER_TEST_LOG") == "1"
            ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)) : null);
        return new KubeletTestCluster(host, kubelet);
    }

    /// <summary>A shell container running <paramref name="script"/> on the node.</summary>
    public static V1Pod ShellPod(string name, string script, string restartPolicy = "Always") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1PodSpec
        {
            NodeName = Node, RestartPolicy = restartPolicy, TerminationGracePeriodSeconds = 10,
            Containers = [new V1Container { Name = "main", Image = Shell, Command = ["sh", "-c", script] }],
        },
    };

    /// <summary>
    /// The node object of <see cref="Node"/> with 8 CPUs and 32Gi allocatable (only the kubelet runs here, no node
    /// heartbeats make it), for what reads nodes, such as kubectl top nodes.
    /// </summary>
    public async Task CreateNodeAsync()
    {
        var node = await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = Node } });
        node.Status = new V1NodeStatus
        {
            Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("8"), ["memory"] = new("32Gi") },
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("8"), ["memory"] = new("32Gi") },
        };
        await Client.CoreV1.ReplaceNodeStatusAsync(node, Node);
    }

    public Task<V1Pod> CreateAsync(V1Pod pod) => Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

    /// <summary>Polls the pod until <paramref name="condition"/> holds; fails saying what was awaited and the last status seen.</summary>
    public async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        V1Pod? pod = null;
        while (deadline.Elapsed < limit)
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync(name, "default");
            if (condition(pod)) return pod;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Timed out after {limit.TotalSeconds:0} s waiting for pod {name}: {what}; last status {KubernetesJson.Serialize(pod?.Status)}");
    }

    /// <summary>Polls until the pod object is gone.</summary>
    public async Task WaitForRemovalAsync(string name, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if ((await Client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: $"metadata.name={name}")).Items.Count == 0) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Timed out after {limit.TotalSeconds:0} s waiting for pod {name} to be removed");
    }

    public async Task<IReadOnlyList<Corev1Event>> EventsAsync(string pod) =>
        (await Client.CoreV1.ListNamespacedEventAsync("default")).Items.Where(e => e.InvolvedObject.Name == pod).ToList();

    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static V1ContainerStatus? MainContainer(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault();

    /// <summary>Runs the stock kubectl against the cluster; returns exit code and stdout+stderr.</summary>
    public async Task<(int Code, string Output)> KubectlAsync(params string[] args)
    {
        var kubectl = Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } fromEnv ? fromEnv : RepoPaths.Of(".tools", "bin", "kubectl");
        if (!File.Exists(kubectl)) throw new FileNotFoundException($"kubectl not found at {kubectl}: run `make kubectl` or set KUBECTL");
        var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(Host.KubeconfigPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
