using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Activator;

/// <summary>
/// The activator's view of the cluster, re-read every interval: the scale-to-zero ModelDeployments, their Services and
/// the EndpointSlices of those Services. Held requests wait on <see cref="NextRefreshAsync"/>, so a pod admitted is
/// seen (and its held requests forwarded) within one interval. Lists rather than watches: three list calls per
/// interval, bounded by the operator's label on Services and Deployments, is cheap beside a cold start.
/// </summary>
internal sealed class ModelDirectory(IKubernetes client, TimeSpan interval, IReadOnlyList<string> namespaces, ILogger logger) : IRouteSource
{
    private volatile RouteTable _table = RouteTable.Empty;
    private TaskCompletionSource _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The table as last read.</summary>
    public RouteTable Table => _table;

    /// <summary>Completes once the first read succeeded (the readiness probe waits for it).</summary>
    public Task Synced => _first.Task;

    /// <summary>Completes at the next refresh.</summary>
    public Task NextRefreshAsync() => Volatile.Read(ref _refreshed).Task;

    /// <summary>Refreshes until stopped; a failed read keeps the last table and is logged.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    _table = await ReadAsync(ct).ConfigureAwait(false);
                    _first.TrySetResult();
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogWarning("Reading the scale-to-zero models failed: {Error}", e.Message);
                }
                Interlocked.Exchange(ref _refreshed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Reports a demand for the model (the annotation the operator wakes it on).</summary>
    public async Task ReportDemandAsync(ModelRoute route, DateTimeOffset at, CancellationToken ct)
    {
        var patch = new V1Patch(KubernetesJson.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [Operator.ScaleToZero.Demand.Annotation] = Operator.ScaleToZero.Demand.Value(at) } } }),
            V1Patch.PatchType.MergePatch);
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ModelDeployment.Group, ModelDeployment.Version, route.Namespace, ModelDeployment.Plural, route.Name,
            fieldManager: "model-activator", cancellationToken: ct).ConfigureAwait(false);
    }

    private async Task<RouteTable> ReadAsync(CancellationToken ct)
    {
        var models = new List<ModelDeployment>();
        var services = new List<V1Service>();
        var slices = new List<V1EndpointSlice>();
        var managed = $"{WellKnown.ManagedByLabel}={WellKnown.FieldManager}";
        // Cluster-wide, or each namespace of --watch-namespaces (which the chart grants Roles in), as the operator reads.
        foreach (var ns in namespaces.Count == 0 ? [null] : namespaces.Select(n => (string?)n))
        {
            var list = ns is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync(ModelDeployment.Group, ModelDeployment.Version, ModelDeployment.Plural, cancellationToken: ct).ConfigureAwait(false)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync(ModelDeployment.Group, ModelDeployment.Version, ns, ModelDeployment.Plural, cancellationToken: ct).ConfigureAwait(false);
            var found = (KubernetesJson.Deserialize<ModelDeploymentList>(KubernetesJson.Serialize(list)).Items ?? []).Where(m => m.Spec?.Autoscaling?.ScaleToZero is not null).ToList();
            if (found.Count == 0) continue;
            models.AddRange(found);
            services.AddRange((ns is null
                ? await client.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: managed, cancellationToken: ct).ConfigureAwait(false)).Items);
            slices.AddRange((ns is null
                ? await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, cancellationToken: ct).ConfigureAwait(false)).Items);
        }
        return models.Count == 0 ? RouteTable.Empty : RouteTable.Build(models, services, slices);
    }

    private sealed class ModelDeploymentList
    {
        [System.Text.Json.Serialization.JsonPropertyName("items")]
        public List<ModelDeployment>? Items { get; set; }
    }
}
