using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.KubeDouble.Discovery;
using ModelOperator.KubeDouble.Faults;
using ModelOperator.KubeDouble.Gc;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Logging;
using ModelOperator.KubeDouble.Metrics;
using ModelOperator.KubeDouble.PodExec;
using ModelOperator.KubeDouble.PodLogs;
using ModelOperator.KubeDouble.PortForward;
using ModelOperator.KubeDouble.Semantics;
using ModelOperator.KubeDouble.Storage;
using ModelOperator.KubeDouble.Validation;

namespace ModelOperator.KubeDouble;

/// <summary>
/// A double of the Kubernetes API server over real HTTP on loopback: JSON, no auth, the semantics clients and
/// kubectl depend on. Start one per test (or fixture) with <see cref="StartAsync"/> and dispose it afterwards.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ControllerLoop _controllers;
    private readonly CancellationTokenSource _stopping;
    private bool _gcEnabled;

    private KubeApiServer(WebApplication app, ObjectStore store, RequestLog requests, FaultInjector faults, ControllerLoop controllers,
        CancellationTokenSource stopping, bool gcEnabled, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        _app = app;
        Store = store;
        Requests = requests;
        Faults = faults;
        _controllers = controllers;
        _stopping = stopping;
        _gcEnabled = gcEnabled;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = Root(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)));
        if (addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.Ordinal)) is { } secure && certificate is not null)
        {
            SecureAddress = Root(secure);
            CertificateAuthorityPem = certificate.ExportCertificatePem();
        }
    }

    private static Uri Root(string address) => new(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");

    /// <summary>The root URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The TLS root URL (https://127.0.0.1:port/) when <see cref="KubeApiServerOptions.ServeTls"/> is set; otherwise null.</summary>
    public Uri? SecureAddress { get; }

    /// <summary>The PEM of the TLS listener's self-signed certificate (the CA a client must trust), when it serves TLS.</summary>
    public string? CertificateAuthorityPem { get; }

    /// <summary>Every request answered so far.</summary>
    public RequestLog Requests { get; }

    /// <summary>Faults to inject into later requests.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Direct read access to stored objects, for assertions.</summary>
    public ObjectStore Store { get; }

    /// <summary>The resources served now, built-in and from CRDs.</summary>
    public ResourceRegistry Resources => Store.Registry;

    /// <summary>Serves <c>pods/log</c> (the dev cluster's kubelet registers itself); without one, log requests answer 400.</summary>
    public IPodLogSource? PodLogs { get; set; }

    /// <summary>Runs <c>pods/exec</c> (the dev cluster's kubelet registers itself); without one, exec requests answer 400.</summary>
    public IPodExecSource? PodExec { get; set; }

    /// <summary>Serves <c>metrics.k8s.io</c> (<c>kubectl top</c>); without one the group is not advertised, as without metrics-server.</summary>
    public IResourceMetricsSource? ResourceMetrics { get; set; }

    /// <summary>Whether owner-reference garbage collection runs (namespace and CRD cleanup always run).</summary>
    public bool GarbageCollectionEnabled
    {
        get => Volatile.Read(ref _gcEnabled);
        set { Volatile.Write(ref _gcEnabled, value); _controllers.Signal(); }
    }

    /// <summary>
    /// Completes once garbage collection, namespace termination and CRD cleanup have caught up with every write made
    /// before the call, so a test can assert what they did (or did not do) without polling.
    /// </summary>
    public Task WaitForControllersAsync(CancellationToken ct = default) => _controllers.WaitIdleAsync(ct);

    /// <summary>Forgets the watch history up to now, so any watch resuming from an older resourceVersion gets 410 Expired.</summary>
    public void CompactHistory()
    {
        lock (Store.Sync) Store.History.Compact(Store.Revision);
    }

    public static async Task<KubeApiServer> StartAsync(KubeApiServerOptions? options = null, CancellationToken ct = default)
    {
        options ??= new KubeApiServerOptions();
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        var certificate = options.ServeTls ? ServingCertificate.Create() : null;
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, options.Port);
            if (certificate is not null) k.Listen(System.Net.IPAddress.Loopback, 0, l => l.UseHttps(certificate));
        });
        var app = builder.Build();

        var registry = new ResourceRegistry();
        var store = new ObjectStore(registry, options.WatchHistorySize);
        var requests = new RequestLog();
        var faults = new FaultInjector();
        var stopping = new CancellationTokenSource();
        var crds = new CrdRegistration(registry);
        ControllerLoop? controllers = null;
        var writer = new ObjectWriter(store, new ObjectValidator(new ServiceIPAllocator(options.ServiceClusterIPRange, options.ServiceIPTaken)), crds, () => controllers?.Signal());
        var deleter = new ObjectDeleter(store, writer, () => controllers?.Signal());
        KubeApiServer? server = null;
        controllers = new ControllerLoop(store.Sync, new GarbageCollector(store, writer, deleter), new TerminationController(store, writer, deleter),
            () => server?.GarbageCollectionEnabled ?? options.GarbageCollectionEnabled, loggerFactory.CreateLogger<ControllerLoop>());

        var api = new ApiContext(store, writer, deleter, faults, options, new TableConverter(), stopping.Token);
        var dispatcher = new ApiDispatcher(api, new ApiRequestParser(registry), requests, loggerFactory.CreateLogger<ApiDispatcher>());
        app.UseWebSockets();
        app.Use(new PodLogEndpoint(store, () => server?.PodLogs).InvokeAsync);
        app.Use(new PodExecEndpoint(store, () => server?.PodExec).InvokeAsync);
        app.Use(new PortForwardEndpoint(store).InvokeAsync);
        app.Use(new MetricsEndpoint(store, () => server?.ResourceMetrics).InvokeAsync);
        app.Use(dispatcher.InvokeAsync);
        app.MapDiscovery(registry, () => server?.ResourceMetrics is null ? [] : [MetricsEndpoint.GroupDocument()]);
        app.MapOpenApi(registry);

        var nsType = registry.Find("", "v1", "namespaces")!;
        lock (store.Sync)
            foreach (var ns in options.InitialNamespaces)
                writer.Create(nsType, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, "kube-apiserver", dryRun: false);

        await app.StartAsync(ct);
        server = new KubeApiServer(app, store, requests, faults, controllers, stopping, options.GarbageCollectionEnabled, certificate);
        controllers.Start();
        loggerFactory.CreateLogger<KubeApiServer>().LogInformation("Started Kubernetes API double {Address}", server.BaseAddress);
        return server;
    }

    /// <summary>Writes a kubeconfig (plain HTTP, no auth) pointing at this server and returns its path.</summary>
    public string WriteKubeconfig(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, Kubeconfig.Render(BaseAddress));
        return full;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _controllers.StopAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
