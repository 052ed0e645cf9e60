using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.KubeDouble;

namespace ModelOperator.DevCluster;

/// <summary>
/// A running dev cluster: the Kubernetes API double (Service cluster IPs from a loopback range) and the components
/// of the node simulator. Used by <c>make dev-cluster</c> (Program.cs) and in-process by tests.
/// </summary>
public sealed class DevClusterHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private readonly bool _ownsStateDirectory;

    private DevClusterHost(KubeApiServer api, Kubernetes client, ClusterContext context, bool ownsStateDirectory)
    {
        Api = api;
        Client = client;
        Context = context;
        _ownsStateDirectory = ownsStateDirectory;
    }

    /// <summary>The API double, for direct assertions and fault injection.</summary>
    public KubeApiServer Api { get; }

    /// <summary>A client of the cluster's API.</summary>
    public Kubernetes Client { get; }

    /// <summary>What the components share.</summary>
    public ClusterContext Context { get; }

    /// <summary>
    /// The kubeconfig written into the state directory at start: <c>kubeconfig</c>, or <c>kubeconfig.internal</c> when
    /// <see cref="DevClusterOptions.PublishKubeconfigWhenReady"/> defers the public one.
    /// </summary>
    public string KubeconfigPath => Path.Combine(Context.StateDirectory, Context.Options.PublishKubeconfigWhenReady ? "kubeconfig.internal" : "kubeconfig");

    /// <summary>Writes <c>kubeconfig</c> into the state directory in one step (a renamed copy), so whoever waits for it never reads half a file.</summary>
    public string PublishKubeconfig()
    {
        var path = Path.Combine(Context.StateDirectory, "kubeconfig");
        Api.WriteKubeconfig(path + ".tmp");
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    /// <summary>Starts the API double and every component (<see cref="ClusterComponents.Default"/> unless given).</summary>
    public static async Task<DevClusterHost> StartAsync(DevClusterOptions? options = null, IEnumerable<IClusterComponent>? components = null,
        ILoggerFactory? loggers = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        options ??= new DevClusterOptions();
        loggers ??= NullLoggerFactory.Instance;
        var owns = options.StateDirectory is null;
        var state = options.StateDirectory ?? Directory.CreateTempSubdirectory("devcluster-").FullName;
        Directory.CreateDirectory(state);
        var api = await KubeApiServer.StartAsync(new KubeApiServerOptions
        {
            Port = options.ApiPort, ServiceClusterIPRange = options.ServiceCidr, LoggerFactory = loggers,
            ServiceIPTaken = Networking.LoopbackClaims.ServiceIPTaken,
            ServeTls = true, // pods reach it as in-cluster clients do, over TLS with the projected ca.crt
        }, ct);
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = api.BaseAddress.ToString() });
        var context = new ClusterContext(client, options, state, loggers, time ?? TimeProvider.System)
        {
            InClusterApi = new Kubelet.InClusterApi(api.SecureAddress!.Host, api.SecureAddress.Port, api.CertificateAuthorityPem!),
        };
        var host = new DevClusterHost(api, client, context, owns);
        api.WriteKubeconfig(host.KubeconfigPath);
        api.PodLogs = new Kubelet.PodLogDirectory(Kubelet.KubeletComponent.LogRoot(state));
        foreach (var component in components ?? ClusterComponents.Default())
        {
            // The kubelet answers exec and metrics as a real kubelet does (through the API server, and metrics-server).
            if (component is KubeDouble.PodExec.IPodExecSource exec) api.PodExec = exec;
            if (component is KubeDouble.Metrics.IResourceMetricsSource metrics) api.ResourceMetrics = metrics;
            host._running.Add(host.RunComponentAsync(component));
        }
        return host;
    }

    private async Task RunComponentAsync(IClusterComponent component)
    {
        var logger = Context.Loggers.CreateLogger("DevCluster." + component.Name);
        try { await Task.Run(() => component.RunAsync(Context, _stop.Token)); }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e) { logger.LogError(e, "Component {Component} failed", component.Name); }
    }

    /// <summary>Stops every component (runtime pods included), then the API double.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
        await Api.DisposeAsync();
        Client.Dispose();
        _stop.Dispose();
        if (_ownsStateDirectory)
            try { Directory.Delete(Context.StateDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
