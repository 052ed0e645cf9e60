using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Runtime;

namespace ModelOperator.Activator;

/// <summary>
/// The activator's view of the cluster: the ModelDeployments, the operator's Services and their EndpointSlices (the
/// endpointslice controller copies a Service's labels onto its slices, and the operator labels its activator slices
/// alike, so one label selector bounds both to the operator's models), each listed then watched with the operator's
/// own <see cref="ResourceWatcher{T}"/> (resume, 410 relist, backoff). Every change rebuilds the <see cref="RouteTable"/>
/// and wakes the held requests (<see cref="NextRefreshAsync"/>), so a pod admitted is forwarded to as soon as its
/// endpoint's watch event arrives, where the earlier design re-listed all three every 250 ms (three list calls per
/// replica four times a second, and up to 250 ms added to every cold start).
/// </summary>
internal sealed class ModelDirectory(Kubernetes client, IReadOnlyList<string> namespaces, TimeSpan watchTimeout, ILoggerFactory loggers) : IRouteSource
{
    private static readonly string ManagedSelector = $"{WellKnown.ManagedByLabel}={WellKnown.FieldManager}";

    private readonly ObjectCache<ModelDeployment> _models = new();
    private readonly ObjectCache<V1Service> _services = new();
    private readonly ObjectCache<V1EndpointSlice> _slices = new();
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ILogger _logger = loggers.CreateLogger("ModelActivator.Directory");
    private volatile RouteTable _table = RouteTable.Empty;
    private TaskCompletionSource _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The table as last built.</summary>
    public RouteTable Table => _table;

    /// <summary>Completes once every watch has listed and the first table is built (the readiness probe waits for it).</summary>
    public Task Synced => _first.Task;

    /// <summary>Completes at the next rebuild of the table.</summary>
    public Task NextRefreshAsync() => Volatile.Read(ref _refreshed).Task;

    /// <summary>Watches and rebuilds until stopped.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var http = new KubeHttp(client);
        var metrics = new OperatorMetrics(); // the watchers count their restarts here; the activator exports its own metrics only
        var watchLogger = loggers.CreateLogger("ModelActivator.Watch");
        // Cluster-wide, or each namespace of --watch-namespaces (which the chart grants Roles in), as the operator reads.
        var scopes = namespaces.Count == 0 ? [null] : namespaces.Select(n => (string?)n).ToList();
        static string In(string? ns, string prefix, string plural) => ns is null ? $"{prefix}/{plural}" : $"{prefix}/namespaces/{ns}/{plural}";
        void Changed<T>(WatchEventType type, T item) => _changed.Writer.TryWrite(true);
        var models = scopes.Select(ns => new ResourceWatcher<ModelDeployment>(http, In(ns, $"/apis/{ModelDeployment.Group}/{ModelDeployment.Version}", ModelDeployment.Plural),
            null, _models, Changed, watchLogger, metrics, watchTimeout, ns)).ToList();
        var services = scopes.Select(ns => new ResourceWatcher<V1Service>(http, In(ns, "/api/v1", "services"), ManagedSelector,
            _services, Changed, watchLogger, metrics, watchTimeout, ns)).ToList();
        var slices = scopes.Select(ns => new ResourceWatcher<V1EndpointSlice>(http, In(ns, "/apis/discovery.k8s.io/v1", "endpointslices"), ManagedSelector,
            _slices, Changed, watchLogger, metrics, watchTimeout, ns)).ToList();
        var watching = Task.WhenAll(models.Select(w => w.RunAsync(ct)).Concat(services.Select(w => w.RunAsync(ct))).Concat(slices.Select(w => w.RunAsync(ct))));
        var synced = Task.WhenAll(models.Select(w => w.Synced).Concat(services.Select(w => w.Synced)).Concat(slices.Select(w => w.Synced)));
        if (await Task.WhenAny(synced, watching).ConfigureAwait(false) != synced)
        {
            await watching.ConfigureAwait(false);
            return;
        }
        Rebuild();
        _first.TrySetResult();
        try
        {
            while (await _changed.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                _changed.Reader.TryRead(out _);
                Rebuild();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        await watching.ConfigureAwait(false);
    }

    /// <summary>Reports a demand for the model (the annotation the operator wakes it on).</summary>
    public async Task ReportDemandAsync(ModelRoute route, DateTimeOffset at, CancellationToken ct)
    {
        var patch = new V1Patch(KubernetesJson.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [Operator.ScaleToZero.Demand.Annotation] = Operator.ScaleToZero.Demand.Value(at) } } }),
            V1Patch.PatchType.MergePatch);
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ModelDeployment.Group, ModelDeployment.Version, route.Namespace, ModelDeployment.Plural, route.Name,
            fieldManager: "model-activator", cancellationToken: ct).ConfigureAwait(false);
    }

    // A failed build keeps the last table (and is logged); the held requests are woken either way.
    private void Rebuild()
    {
        try
        {
            var models = _models.Keys.Select(_models.Get).OfType<ModelDeployment>().Where(m => m.Spec?.Autoscaling?.ScaleToZero is not null).ToList();
            _table = models.Count == 0 ? RouteTable.Empty
                : RouteTable.Build(models, _services.Keys.Select(_services.Get).OfType<V1Service>(), _slices.Keys.Select(_slices.Get).OfType<V1EndpointSlice>());
        }
        catch (Exception e)
        {
            _logger.LogWarning("Building the route table failed, keeping the last one: {Error}", e.Message);
        }
        Interlocked.Exchange(ref _refreshed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
