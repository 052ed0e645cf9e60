using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Runtime;

namespace ModelOperator.Operator.ScaleToZero;

/// <summary>
/// Keeps each scale-to-zero model's Service pointed at the activator exactly while the model has no ready pod: every
/// <c>interval</c> it reads the activator's ready endpoints and, from the caches, which models have none of their own,
/// then creates, updates or deletes the <see cref="ActivatorSlice"/>s (writing only what changed). Runs on the leader;
/// the activator itself runs apart, so held requests never depend on which operator replica leads.
/// </summary>
internal sealed class ActivatorRouting(
    ObjectCache<ModelDeployment> models, ObjectCache<V1Service> services, ObjectCache<V1Pod> pods, Kubernetes client,
    string activatorNamespace, string activatorService, ILogger logger)
{
    /// <summary>Syncs every <paramref name="interval"/> until stopped.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try { await SyncAsync(ct).ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogWarning("Activator routing sync failed: {Error}", e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>One pass over every ModelDeployment.</summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        var zeroable = models.Keys.Select(models.Get).OfType<ModelDeployment>().Where(m => m.Spec.Autoscaling?.ScaleToZero is not null).ToList();
        var live = (await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(
                labelSelector: $"{ActivatorSlice.ManagedByLabel}={ActivatorSlice.ManagedBy}", cancellationToken: ct).ConfigureAwait(false))
            .Items.ToDictionary(s => (s.Metadata.NamespaceProperty, s.Metadata.Name));
        if (zeroable.Count == 0 && live.Count == 0) return;
        var activator = ActivatorEndpoints.From((await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(activatorNamespace,
            labelSelector: $"{ActivatorSlice.ServiceNameLabel}={activatorService}", cancellationToken: ct).ConfigureAwait(false)).Items);
        var wanted = new HashSet<(string, string)>();
        foreach (var md in zeroable)
        {
            var key = ObjectCache<ModelDeployment>.KeyOf(md);
            var service = services.OwnedBy(key).FirstOrDefault(s => s.Metadata.Name == md.Metadata.Name);
            if (service is null || !ActivatorSlice.Needed(md, pods.OwnedBy(key))) continue;
            if (ActivatorSlice.Build(md, service, activator) is not { } desired) continue;
            var id = (md.Metadata.NamespaceProperty, desired.Metadata.Name);
            wanted.Add(id);
            try
            {
                if (!live.TryGetValue(id, out var existing))
                {
                    await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(desired, id.NamespaceProperty, cancellationToken: ct).ConfigureAwait(false);
                    logger.LogInformation("Routed {Key} to the activator ({Count} pods): it has no ready pod", key, activator.Addresses.Count);
                }
                else if (!ActivatorSlice.Same(existing, desired))
                {
                    desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                    await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(desired, desired.Metadata.Name, id.NamespaceProperty, cancellationToken: ct).ConfigureAwait(false);
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound) { }
        }
        foreach (var (id, _) in live.Where(kv => !wanted.Contains(kv.Key)))
        {
            try
            {
                await client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(id.Item2, id.Item1, cancellationToken: ct).ConfigureAwait(false);
                logger.LogInformation("Removed the activator from {Namespace}/{Slice}: the model has a ready pod or no longer scales to zero", id.Item1, id.Item2);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound) { }
        }
    }
}
