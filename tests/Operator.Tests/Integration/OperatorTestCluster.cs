using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.KubeDouble;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Crd;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>The API double with the ModelDeployment CRD installed from crds/, a plain client, and operator instances.</summary>
internal sealed class OperatorTestCluster : IAsyncDisposable
{
    private readonly List<OperatorHost> _operators = [];
    private readonly ILoggerFactory _loggers;

    private OperatorTestCluster(KubeApiServer server, ITestOutputHelper output)
    {
        Server = server;
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        _loggers = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));
    }

    public KubeApiServer Server { get; }
    public Kubernetes Client { get; }

    public static async Task<OperatorTestCluster> StartAsync(ITestOutputHelper output, KubeApiServerOptions? options = null)
    {
        var cluster = new OperatorTestCluster(await KubeApiServer.StartAsync(options), output);
        await CheckedInCrd.InstallAsync(cluster.Client);
        return cluster;
    }

    /// <summary>Starts an operator instance; leader election uses short test timings so failover fits a test.</summary>
    public async Task<OperatorHost> StartOperatorAsync(string identity, bool leaderElection = false, Func<OperatorOptions, OperatorOptions>? tweak = null)
    {
        var options = new OperatorOptions
        {
            Identity = identity,
            LeaderElection = leaderElection,
            HttpAddress = "http://127.0.0.1:0",
            RuntimeImage = "registry.local/model-runtime:test",
            LeaseDuration = TimeSpan.FromSeconds(4),
            RenewDeadline = TimeSpan.FromSeconds(3),
            RetryPeriod = TimeSpan.FromMilliseconds(500),
            BackoffBase = TimeSpan.FromMilliseconds(50),
            BackoffCap = TimeSpan.FromSeconds(2),
            Workers = 4,
        };
        var host = await OperatorHost.StartAsync(new KubernetesClientConfiguration { Host = Server.BaseAddress.ToString() },
            tweak?.Invoke(options) ?? options, _loggers);
        _operators.Add(host);
        return host;
    }

    public async Task StopOperatorAsync(OperatorHost host)
    {
        _operators.Remove(host);
        await host.DisposeAsync();
    }

    public async Task<ModelDeployment> CreateAsync(ModelDeployment md) =>
        KubernetesJson.Deserialize<ModelDeployment>(KubernetesJson.Serialize(await Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            md, ModelDeployment.Group, ModelDeployment.Version, md.Metadata.NamespaceProperty, ModelDeployment.Plural)));

    public Task PatchSpecAsync(string name, object specPatch, string ns = "default") =>
        Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(KubernetesJson.Serialize(new { spec = specPatch }), V1Patch.PatchType.MergePatch),
            ModelDeployment.Group, ModelDeployment.Version, ns, ModelDeployment.Plural, name);

    /// <summary>The stored ModelDeployment, read from the double's store (no request, so request counts stay honest).</summary>
    public ModelDeployment? Model(string name, string ns = "default") =>
        Server.Store.Get(ModelDeployment.Group, ModelDeployment.Version, ModelDeployment.Plural, ns, name) is { } o
            ? KubernetesJson.Deserialize<ModelDeployment>(o.ToJsonString()) : null;

    public IReadOnlyList<V1Deployment> Deployments(string? ns = "default") =>
        Server.Store.List("apps", "v1", "deployments", ns).Select(o => KubernetesJson.Deserialize<V1Deployment>(o.ToJsonString())).ToList();

    public IReadOnlyList<V1Deployment> DeploymentsOf(string name, string ns = "default") =>
        Deployments(ns).Where(d => d.Metadata.Labels is { } l && l.TryGetValue(WellKnown.NameLabel, out var owner) && owner == name).ToList();

    public V1Service? Service(string name, string ns = "default") =>
        Server.Store.Get("", "v1", "services", ns, name) is { } o ? KubernetesJson.Deserialize<V1Service>(o.ToJsonString()) : null;

    /// <summary>True when the ModelDeployment's status describes its current generation and its children exist.</summary>
    public bool Converged(string name, string ns = "default")
    {
        var md = Model(name, ns);
        return md?.Status is { } status && status.ObservedGeneration == md.Metadata.Generation
            && CurrentDeployment(md) is not null && Service(name, ns) is not null;
    }

    /// <summary>The Deployment of the revision the current spec hashes to.</summary>
    public V1Deployment? CurrentDeployment(ModelDeployment md)
    {
        var revision = RevisionHasher.Compute(md.Spec, new OperatorSettings("registry.local/model-runtime:test"));
        return DeploymentsOf(md.Metadata.Name, md.Metadata.NamespaceProperty).FirstOrDefault(d => d.Metadata.Labels[WellKnown.RevisionLabel] == revision);
    }

    /// <summary>Plays the Deployment controller and kubelet the double lacks: reports the pods ready.</summary>
    public async Task MarkReadyAsync(V1Deployment d)
    {
        var status = new { status = new { replicas = d.Spec.Replicas, readyReplicas = d.Spec.Replicas, availableReplicas = d.Spec.Replicas, observedGeneration = d.Metadata.Generation } };
        await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch),
            d.Metadata.Name, d.Metadata.NamespaceProperty);
    }

    /// <summary>Writes the operator instance <paramref name="identity"/> sent, leases excluded.</summary>
    public int WritesBy(string identity) =>
        Server.Requests.Writes().Count(r => r.UserAgent.Contains($"model-operator/{identity}", StringComparison.Ordinal) && r.Resource != "leases");

    public IEnumerable<string> WritesDescribed(string identity) =>
        Server.Requests.Writes().Where(r => r.UserAgent.Contains($"model-operator/{identity}", StringComparison.Ordinal) && r.Resource != "leases").Select(r => r.ToString());

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _operators.ToList()) await host.DisposeAsync();
        Client.Dispose();
        await Server.DisposeAsync();
        _loggers.Dispose();
    }
}
