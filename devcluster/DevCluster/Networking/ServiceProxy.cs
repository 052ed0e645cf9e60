using k8s;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster.Api;

namespace ModelOperator.DevCluster.Networking;

/// <summary>
/// The dev cluster's kube-proxy: a listener on every Service's cluster IP and port (a loopback address), balancing
/// across the ready endpoints of its EndpointSlices. Listeners come and go with Services; endpoints follow slices.
/// </summary>
internal sealed class ServiceProxy : IClusterComponent
{
    public string Name => "service-proxy";

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.ServiceProxy");
        var listeners = new Dictionary<(string Ip, int Port), ServiceListener>();
        var failed = new HashSet<(string, int)>();
        try
        {
            await LevelTriggeredLoop.RunAsync(context.Client, ["api/v1/services", "apis/discovery.k8s.io/v1/endpointslices"], logger, "Service proxy sync", async ct =>
            {
                var services = (await context.Client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct)).Items;
                var slices = (await context.Client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct)).Items;
                var routes = ProxyRoutes.From(services, slices).ToDictionary(r => (r.ClusterIP, r.Port));
                foreach (var gone in listeners.Keys.Where(k => !routes.ContainsKey(k)).ToList())
                {
                    await listeners[gone].DisposeAsync();
                    listeners.Remove(gone);
                    logger.LogInformation("Stopped service listener {Address}:{Port}", gone.Ip, gone.Port);
                }
                foreach (var (key, route) in routes)
                {
                    if (listeners.TryGetValue(key, out var live))
                    {
                        if (!live.Route.Backends.SequenceEqual(route.Backends))
                            logger.LogInformation("Updated endpoints of {Service} port {Port}: {Backends}", route.Service, route.Port, string.Join(" ", route.Backends));
                        live.Update(route);
                        continue;
                    }
                    try
                    {
                        listeners[key] = await ServiceListener.StartAsync(route, context.Loggers, ct);
                        failed.Remove(key);
                        logger.LogInformation("Started service listener {Service} on {Address}:{Port} with {Count} endpoints",
                            route.Service, route.ClusterIP, route.Port, route.Backends.Count);
                    }
                    catch (IOException e) when (failed.Add(key))
                    {
                        logger.LogWarning(e, "Failed to listen for {Service} on {Address}:{Port}", route.Service, route.ClusterIP, route.Port);
                    }
                }
            }, ct);
        }
        finally
        {
            foreach (var listener in listeners.Values) await listener.DisposeAsync();
        }
    }
}
