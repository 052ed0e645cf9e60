using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster.Api;

namespace ModelOperator.DevCluster.Networking;

/// <summary>
/// The endpoints and endpointslice controllers: for every Service with a selector, an Endpoints object and one
/// EndpointSlice (labelled <c>kubernetes.io/service-name</c>) following the selected pods' readiness. Writes only
/// what changed.
/// </summary>
internal sealed class EndpointsController : IClusterComponent
{
    public string Name => "endpoints-controller";

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.EndpointsController");
        await LevelTriggeredLoop.RunAsync(context.Client, ["api/v1/services", "api/v1/pods"], logger, "Endpoints sync",
            ct => SyncAllAsync(context.Client, ct), ct);
    }

    private static async Task SyncAllAsync(IKubernetes client, CancellationToken ct)
    {
        var services = (await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct)).Items
            .Where(s => s.Spec?.Selector is { Count: > 0 } && s.Metadata.DeletionTimestamp is null).ToList();
        if (services.Count == 0) return;
        var pods = (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items;
        var endpoints = (await client.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct)).Items.ToDictionary(e => (e.Namespace(), e.Name()));
        var slices = (await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(labelSelector: $"{ServiceEndpoints.ManagedByLabel}={ServiceEndpoints.ManagedBy}", cancellationToken: ct))
            .Items.ToDictionary(s => (s.Namespace(), s.Name()));
        foreach (var service in services)
        {
            var selected = ServiceEndpoints.Selected(service, pods);
            var wantEndpoints = ServiceEndpoints.Endpoints(service, selected);
            try
            {
                if (!endpoints.TryGetValue((service.Namespace(), service.Name()), out var liveEndpoints))
                    await client.CoreV1.CreateNamespacedEndpointsAsync(wantEndpoints, service.Namespace(), cancellationToken: ct);
                else if (!SameJson.Equal(liveEndpoints.Subsets, wantEndpoints.Subsets))
                {
                    wantEndpoints.Metadata.ResourceVersion = liveEndpoints.ResourceVersion();
                    await client.CoreV1.ReplaceNamespacedEndpointsAsync(wantEndpoints, service.Name(), service.Namespace(), cancellationToken: ct);
                }
                var wantSlice = ServiceEndpoints.Slice(service, selected);
                if (!slices.TryGetValue((service.Namespace(), wantSlice.Name()), out var liveSlice))
                    await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(wantSlice, service.Namespace(), cancellationToken: ct);
                else if (!SameJson.Equal(liveSlice.Endpoints, wantSlice.Endpoints) || !SameJson.Equal(liveSlice.Ports, wantSlice.Ports))
                {
                    wantSlice.Metadata.ResourceVersion = liveSlice.ResourceVersion();
                    await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(wantSlice, wantSlice.Name(), service.Namespace(), cancellationToken: ct);
                }
            }
            // The service went away mid-pass, or another pass wrote first: the next pass sees the new state.
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound) { }
        }
    }
}
