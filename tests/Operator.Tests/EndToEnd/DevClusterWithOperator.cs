using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster;
using ModelOperator.DevCluster.Kubelet;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Crd;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Tests.Integration;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// The dev cluster (API double, nodes, scheduler, controllers, Service proxy, a kubelet running real model-runtime
/// pods) with the ModelDeployment CRD from crds/ and an in-process operator on its API, as <c>make dev-cluster</c> runs
/// them; the operator can be stopped and started again. The pods are podman containers of the images built from the
/// project's Dockerfiles (<see cref="BuiltImages"/>, once per test run), as <c>make dev-cluster</c> runs them; where
/// podman cannot run they are processes, said in the test's output (under CI=true that is a failure). The async readers go through the API as a user's client does;
/// the synchronous ones read the double's store, for polling.
/// </summary>
internal sealed partial class DevClusterWithOperator : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly Func<OperatorOptions, OperatorOptions> _configure;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private DevClusterWithOperator(DevClusterHost cluster, ILoggerFactory loggers, Func<OperatorOptions, OperatorOptions> configure)
    {
        Cluster = cluster;
        _loggers = loggers;
        _configure = configure;
    }

    public DevClusterHost Cluster { get; }
    public Kubernetes Client => Cluster.Client;
    public OperatorHost? Operator { get; private set; }

    /// <param name="configure">Changes to the operator's test settings (quick backoff and autoscaling, four workers).</param>
    public static async Task<DevClusterWithOperator> StartAsync(ITestOutputHelper output, Func<OperatorOptions, OperatorOptions>? configure = null)
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information)
            .AddFilter("DevCluster", LogLevel.Warning).AddFilter("ModelOperator.KubeDouble", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning));
        // Own loopback ranges: another dev cluster on this machine (a parallel test run, `make dev-cluster`) holds the
        // default 127.20.0.1 Service listeners, and a second bind there fails.
        var second = Random.Shared.Next(100, 199);
        var containers = await ContainersAsync(output);
        var cluster = await DevClusterHost.StartAsync(new DevClusterOptions
        {
            Kubelet = new KubeletOptions { BackOffBase = TimeSpan.FromSeconds(1), BackOffMax = TimeSpan.FromSeconds(5), Containers = containers },
            PodCidr = $"127.{second}.0.0/16",
            ServiceCidr = $"127.{second + 1}.0.0/16",
        }, loggers: loggers);
        var env = new DevClusterWithOperator(cluster, loggers, configure ?? (o => o));
        try
        {
            await CheckedInCrd.InstallAsync(cluster.Client);
            await env.StartOperatorAsync();
            return env;
        }
        catch
        {
            await env.DisposeAsync();
            throw;
        }
    }

    /// <summary>The kubelet's container runtime with the images pulled from the test run's registry; null (processes) where podman cannot run.</summary>
    private static async Task<ContainerRuntimeOptions?> ContainersAsync(ITestOutputHelper output) =>
        await BuiltImages.RegistryForPodsAsync(output.WriteLine) is { } registry
            ? ContainerRuntimeOptions.PullingProjectImagesFrom(registry, ContainerEngine.ContainersConf)
            : null;

    /// <summary>Whether the pods run as containers (podman) rather than processes.</summary>
    public bool Containers => Cluster.Context.Options.Kubelet.Containers is not null;

    /// <summary>
    /// A node cache folder (the chart's <c>nodeCache.hostPath</c>) prepared as docs/operator.md asks of each node: owned
    /// by the runtime's uid 65532, which the runtime containers run as (a root-owned folder is not writable to them);
    /// where this test run cannot chown, open to all instead.
    /// </summary>
    public static string NodeCacheFolder()
    {
        var path = Directory.CreateTempSubdirectory("node-model-cache-").FullName;
        using var chown = Process.Start(new ProcessStartInfo("chown", ["65532:65532", path]) { RedirectStandardError = true })!;
        chown.WaitForExit();
        if (chown.ExitCode != 0 && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        return path;
    }

    /// <summary>Kills the pod's (only) container from outside with SIGKILL, as a crash would end it: the container's main process, or the process.</summary>
    public static async Task KillContainerAsync(V1Pod pod)
    {
        var id = pod.Status.ContainerStatuses.Single().ContainerID;
        if (id.StartsWith("podman://", StringComparison.Ordinal))
        {
            var kill = await ContainerEngine.RunAsync("kill", "--signal", "KILL", id["podman://".Length..]);
            Assert.True(kill.ExitCode == 0, $"podman kill {id}: {kill.Output}");
        }
        else
        {
            Assert.StartsWith("devcluster://", id);
            Process.GetProcessById(int.Parse(id["devcluster://".Length..], System.Globalization.CultureInfo.InvariantCulture)).Kill(entireProcessTree: true);
        }
    }

    public async Task StartOperatorAsync()
    {
        Operator = await OperatorHost.StartAsync(new KubernetesClientConfiguration { Host = Cluster.Api.BaseAddress.ToString() }, _configure(new OperatorOptions
        {
            Identity = "e2e-" + Guid.NewGuid().ToString("N")[..6],
            LeaderElection = false,
            HttpAddress = "http://127.0.0.1:0",
            AutoscaleInterval = TimeSpan.FromSeconds(1),
            BackoffBase = TimeSpan.FromMilliseconds(100),
            BackoffCap = TimeSpan.FromSeconds(2),
            Workers = 4,
        }), _loggers);
    }

    public async Task StopOperatorAsync()
    {
        if (Operator is { } op) await op.DisposeAsync();
        Operator = null;
    }

    /// <summary>A ModelDeployment of a sample model file, one stable replica, a quick on-node benchmark.</summary>
    public static ModelDeployment Model(string name, string sampleModel, Action<ModelDeploymentSpec>? edit = null)
    {
        var md = new ModelDeployment
        {
            ApiVersion = $"{ModelDeployment.Group}/{ModelDeployment.Version}", Kind = "ModelDeployment",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new ModelDeploymentSpec
            {
                Model = new ModelSource { Uri = ModelUri(sampleModel) },
                Runtime = new RuntimeSpec { Device = "cpu" },
                Gpu = new GpuSpec { Count = 0 },
                Replicas = new ReplicasSpec { Min = 1, Max = 2 },
                Benchmark = new BenchmarkSpec { BatchSizes = [1], WarmupIterations = 2, Iterations = 10 },
            },
        };
        edit?.Invoke(md.Spec);
        return md;
    }

    public static string ModelUri(string sampleModel)
    {
        var path = RepoPaths.Of(".artifacts", "sample-models", sampleModel + ".onnx");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; run `make sample-models`", path);
        return "file://" + path;
    }

    public async Task CreateAsync(ModelDeployment md) =>
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(md, ModelDeployment.Group, ModelDeployment.Version, md.Metadata.NamespaceProperty, ModelDeployment.Plural);

    public Task PatchSpecAsync(string name, object specPatch) =>
        Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(KubernetesJson.Serialize(new { spec = specPatch }), V1Patch.PatchType.MergePatch),
            ModelDeployment.Group, ModelDeployment.Version, "default", ModelDeployment.Plural, name);

    public async Task<ModelDeployment> ModelAsync(string name, string ns = "default") =>
        KubernetesJson.Deserialize<ModelDeployment>(KubernetesJson.Serialize(
            await Client.CustomObjects.GetNamespacedCustomObjectAsync(ModelDeployment.Group, ModelDeployment.Version, ns, ModelDeployment.Plural, name)));

    /// <summary>The stored ModelDeployment, read from the double's store.</summary>
    public ModelDeployment Model(string name) =>
        Cluster.Api.Store.Get(ModelDeployment.Group, ModelDeployment.Version, ModelDeployment.Plural, "default", name) is { } o
            ? KubernetesJson.Deserialize<ModelDeployment>(o.ToJsonString()) : throw new InvalidOperationException($"no ModelDeployment {name}");

    /// <summary>The ModelDeployment's pods that are Ready (admitted, so in the Service's endpoints).</summary>
    public async Task<IReadOnlyList<V1Pod>> ReadyPodsAsync(string name, string ns = "default") =>
        (await PodsAsync(name, ns)).Where(IsReady).ToList();

    public async Task<IReadOnlyList<V1Pod>> PodsAsync(string name, string ns = "default") =>
        (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: ChildObjects.Selector(name))).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    /// <summary>The ModelDeployment's pods in the double's store (terminating ones too), of one revision when given.</summary>
    public IReadOnlyList<V1Pod> Pods(string name, string? revision = null) =>
        Cluster.Api.Store.List("", "v1", "pods", "default").Select(o => KubernetesJson.Deserialize<V1Pod>(o.ToJsonString()))
            .Where(p => Label(p, WellKnown.NameLabel) == name && (revision is null || Label(p, WellKnown.RevisionLabel) == revision))
            .ToList();

    public int ReadyPods(string name, string revision) => Pods(name, revision).Count(IsReady);

    private static string? Label(V1Pod p, string key) => p.Metadata.Labels is { } l && l.TryGetValue(key, out var v) ? v : null;

    public static bool IsReady(V1Pod p) => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true;

    public static V1PodCondition? Admitted(V1Pod p) => p.Status?.Conditions?.FirstOrDefault(c => c.Type == WellKnown.AdmittedCondition);

    public async Task<Uri> ServiceUrlAsync(string name, string ns = "default")
    {
        var svc = await Client.CoreV1.ReadNamespacedServiceAsync(name, ns);
        return new Uri($"http://{svc.Spec.ClusterIP}:{WellKnown.RuntimePort}/");
    }

    /// <summary>
    /// Waits until the Service's cluster IP routes to a ready pod, and returns its base URL: a pod is Ready a moment
    /// before the endpoints controller and the Service proxy route to it, and a load started in between sees 503
    /// "no ready endpoints" (on a real cluster too, while kube-proxy catches up).
    /// </summary>
    public async Task<Uri> ServingUrlAsync(string name, string ns = "default")
    {
        var url = await ServiceUrlAsync(name, ns);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () =>
        {
            try { return (await http.GetAsync(new Uri(url, $"v2/models/{name}/ready"))).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, $"the Service {ns}/{name} to route to a ready pod", TimeSpan.FromSeconds(30));
        return url;
    }

    /// <summary>The model's infer URL through its Service, once the Service routes (see <see cref="ServingUrlAsync"/>).</summary>
    public async Task<Uri> ServingInferUriAsync(string name) => new(await ServingUrlAsync(name), $"v2/models/{name}/infer");

    public async Task<IReadOnlyList<Corev1Event>> EventsAsync(string name, string ns = "default") =>
        (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject?.Name == name).ToList();

    /// <summary>Waits (bounded) for the first revision to be stable and Ready, then returns its revision.</summary>
    public async Task<string> StableAsync(string name)
    {
        await Eventually.TrueAsync(() => Model(name).Status is { StableRevision: not null } s && s.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true,
            $"{name}'s first revision to be stable and Ready", TimeSpan.FromMinutes(3));
        return Model(name).Status!.StableRevision!;
    }

    /// <summary>Requests the pods of a revision counted so far (from their own /metrics), summed; pods that do not answer count 0.</summary>
    public async Task<double> RequestsServedAsync(string name, string revision)
    {
        double total = 0;
        foreach (var pod in Pods(name, revision).Where(p => p.Status?.PodIP is not null))
        {
            try
            {
                var text = await _http.GetStringAsync($"http://{pod.Status.PodIP}:{WellKnown.RuntimePort}/metrics");
                total += RequestsLine().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        }
        return total;
    }

    [GeneratedRegex(@"^modelruntime_requests_total\{[^}]*\} ([0-9.e+]+)$", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    /// <summary>Polls until <paramref name="condition"/> holds and returns the time it was first seen to hold.</summary>
    public static async Task<DateTime> WhenAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (await condition()) return DateTime.UtcNow;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting for {what}.");
    }

    public async ValueTask DisposeAsync()
    {
        await StopOperatorAsync();
        await Cluster.DisposeAsync();
        _http.Dispose();
        _loggers.Dispose();
    }
}
