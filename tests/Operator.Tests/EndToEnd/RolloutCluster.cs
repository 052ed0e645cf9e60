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
/// The dev cluster (API double, nodes, scheduler, controllers, Service proxy, kubelet running real model-runtime pods)
/// with the ModelDeployment CRD and an in-process operator that can be stopped and started again.
/// </summary>
internal sealed partial class RolloutCluster : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private RolloutCluster(DevClusterHost host, ILoggerFactory loggers)
    {
        Host = host;
        _loggers = loggers;
    }

    public DevClusterHost Host { get; }
    public Kubernetes Client => Host.Client;
    public OperatorHost? Operator { get; private set; }

    public static async Task<RolloutCluster> StartAsync(ITestOutputHelper output)
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information)
            .AddFilter("DevCluster", LogLevel.Warning).AddFilter("ModelOperator.KubeDouble", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning));
        var host = await DevClusterHost.StartAsync(new DevClusterOptions
        {
            Kubelet = new KubeletOptions { BackOffBase = TimeSpan.FromSeconds(1), BackOffMax = TimeSpan.FromSeconds(5) },
            // The double hands out cluster IPs from the start of its range, so two dev clusters on one machine (parallel
            // tests, someone's `make dev-cluster`) both give their first Service 127.20.0.1, and the second proxy cannot
            // listen: its load would reach the other cluster. A range of its own per test cluster avoids that.
            ServiceCidr = $"127.{Random.Shared.Next(30, 250)}.0.0/16",
        }, loggers: loggers);
        var cluster = new RolloutCluster(host, loggers);
        await CheckedInCrd.InstallAsync(cluster.Client);
        await cluster.StartOperatorAsync();
        return cluster;
    }

    public async Task StartOperatorAsync()
    {
        Operator = await OperatorHost.StartAsync(new KubernetesClientConfiguration { Host = Host.Api.BaseAddress.ToString() }, new OperatorOptions
        {
            Identity = "e2e-" + Guid.NewGuid().ToString("N")[..6],
            LeaderElection = false,
            HttpAddress = "http://127.0.0.1:0",
            BackoffBase = TimeSpan.FromMilliseconds(100),
            BackoffCap = TimeSpan.FromSeconds(2),
            Workers = 4,
        }, _loggers);
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
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(md, ModelDeployment.Group, ModelDeployment.Version, "default", ModelDeployment.Plural);

    public Task PatchSpecAsync(string name, object specPatch) =>
        Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(KubernetesJson.Serialize(new { spec = specPatch }), V1Patch.PatchType.MergePatch),
            ModelDeployment.Group, ModelDeployment.Version, "default", ModelDeployment.Plural, name);

    /// <summary>The stored ModelDeployment, read from the double's store.</summary>
    public ModelDeployment Model(string name) =>
        Host.Api.Store.Get(ModelDeployment.Group, ModelDeployment.Version, ModelDeployment.Plural, "default", name) is { } o
            ? KubernetesJson.Deserialize<ModelDeployment>(o.ToJsonString()) : throw new InvalidOperationException($"no ModelDeployment {name}");

    public IReadOnlyList<V1Pod> Pods(string name, string? revision = null) =>
        Host.Api.Store.List("", "v1", "pods", "default").Select(o => KubernetesJson.Deserialize<V1Pod>(o.ToJsonString()))
            .Where(p => Label(p, WellKnown.NameLabel) == name && (revision is null || Label(p, WellKnown.RevisionLabel) == revision))
            .ToList();

    private static string? Label(V1Pod p, string key) => p.Metadata.Labels is { } l && l.TryGetValue(key, out var v) ? v : null;

    public static bool IsReady(V1Pod p) => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true;

    public static V1PodCondition? Admitted(V1Pod p) => p.Status?.Conditions?.FirstOrDefault(c => c.Type == WellKnown.AdmittedCondition);

    public int ReadyPods(string name, string revision) => Pods(name, revision).Count(IsReady);

    public Uri InferUri(string name)
    {
        var svc = Client.CoreV1.ReadNamespacedService(name, "default");
        return new Uri($"http://{svc.Spec.ClusterIP}:{WellKnown.RuntimePort}/v2/models/{name}/infer");
    }

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
        await Host.DisposeAsync();
        _http.Dispose();
        _loggers.Dispose();
    }
}
