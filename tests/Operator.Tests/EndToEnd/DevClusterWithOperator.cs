using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Crd;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Tests.Integration;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// The dev cluster (nodes, scheduler, controllers, Service proxy, a kubelet running real model-runtime pods) with the
/// ModelDeployment CRD from crds/ and an in-process operator on its API, as <c>make dev-cluster</c> runs them.
/// </summary>
internal sealed class DevClusterWithOperator : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    private DevClusterWithOperator(DevClusterHost cluster, OperatorHost op, ILoggerFactory loggers)
    {
        Cluster = cluster;
        Operator = op;
        _loggers = loggers;
    }

    public DevClusterHost Cluster { get; }
    public OperatorHost Operator { get; }
    public Kubernetes Client => Cluster.Client;

    public static async Task<DevClusterWithOperator> StartAsync(ITestOutputHelper output, DevClusterOptions? options = null)
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information)
            .AddFilter("DevCluster.prometheus-targets", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning));
        // Own loopback ranges: another dev cluster on this machine (a parallel test run, `make dev-cluster`) holds the
        // default 127.20.0.1 Service listeners, and a second bind there fails.
        var second = Random.Shared.Next(100, 199);
        options ??= new DevClusterOptions();
        options = options with { PodCidr = $"127.{second}.0.0/16", ServiceCidr = $"127.{second + 1}.0.0/16" };
        var cluster = await DevClusterHost.StartAsync(options, loggers: loggers);
        try
        {
            await CheckedInCrd.InstallAsync(cluster.Client);
            var op = await OperatorHost.StartAsync(new KubernetesClientConfiguration { Host = cluster.Api.BaseAddress.ToString() }, new OperatorOptions
            {
                Identity = "e2e", LeaderElection = false, HttpAddress = "http://127.0.0.1:0",
                AutoscaleInterval = TimeSpan.FromSeconds(1), BackoffBase = TimeSpan.FromMilliseconds(100), BackoffCap = TimeSpan.FromSeconds(2),
            }, loggers);
            return new DevClusterWithOperator(cluster, op, loggers);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task CreateAsync(ModelDeployment md) =>
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(md, ModelDeployment.Group, ModelDeployment.Version, md.Metadata.NamespaceProperty, ModelDeployment.Plural);

    public async Task<ModelDeployment> ModelAsync(string name, string ns = "default") =>
        KubernetesJson.Deserialize<ModelDeployment>(KubernetesJson.Serialize(
            await Client.CustomObjects.GetNamespacedCustomObjectAsync(ModelDeployment.Group, ModelDeployment.Version, ns, ModelDeployment.Plural, name)));

    /// <summary>The ModelDeployment's pods that are Ready (admitted, so in the Service's endpoints).</summary>
    public async Task<IReadOnlyList<V1Pod>> ReadyPodsAsync(string name, string ns = "default") =>
        (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: ChildObjects.Selector(name))).Items
            .Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true).ToList();

    public async Task<IReadOnlyList<V1Pod>> PodsAsync(string name, string ns = "default") =>
        (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: ChildObjects.Selector(name))).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    public async Task<Uri> ServiceUrlAsync(string name, string ns = "default")
    {
        var svc = await Client.CoreV1.ReadNamespacedServiceAsync(name, ns);
        return new Uri($"http://{svc.Spec.ClusterIP}:{WellKnown.RuntimePort}/");
    }

    /// <summary>
    /// Waits until the Service's cluster IP answers an infer request: a pod is Ready a moment before the endpoints
    /// controller and the Service proxy route to it, and a load started in between sees 503 "no ready endpoints".
    /// </summary>
    public async Task<Uri> ServingUrlAsync(string name, string ns = "default")
    {
        var url = await ServiceUrlAsync(name, ns);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Poll.UntilAsync(async () =>
        {
            try
            {
                using var body = new StringContent(InferenceLoad.Body, System.Text.Encoding.UTF8, "application/json");
                return (await http.PostAsync(new Uri(url, $"v2/models/{name}/infer"), body)).IsSuccessStatusCode;
            }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, $"the Service {ns}/{name} to route an infer request", TimeSpan.FromSeconds(30));
        return url;
    }

    public async Task<IReadOnlyList<Corev1Event>> EventsAsync(string name, string ns = "default") =>
        (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject?.Name == name).ToList();

    public async ValueTask DisposeAsync()
    {
        await Operator.DisposeAsync();
        await Cluster.DisposeAsync();
        _loggers.Dispose();
    }
}
