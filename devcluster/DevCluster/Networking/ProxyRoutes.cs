using System.Net;
using k8s.Models;

namespace ModelOperator.DevCluster.Networking;

/// <summary>One Service port the proxy listens on, and the ready endpoints behind it.</summary>
/// <param name="Service">namespace/name, for logs and error bodies.</param>
/// <param name="ClusterIP">The Service's loopback cluster IP.</param>
/// <param name="Port">The Service port.</param>
/// <param name="Http2">Cleartext HTTP/2 (gRPC) rather than HTTP/1.1.</param>
/// <param name="Backends">Ready endpoints as host:port, in a stable order.</param>
public sealed record ProxyRoute(string Service, string ClusterIP, int Port, bool Http2, IReadOnlyList<string> Backends);

/// <summary>What the service proxy serves, free of I/O: kube-proxy's view of Services and EndpointSlices.</summary>
public static class ProxyRoutes
{
    public static IReadOnlyList<ProxyRoute> From(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var byService = slices.Where(s => s.Metadata.Labels?.ContainsKey(ServiceEndpoints.ServiceNameLabel) == true)
            .ToLookup(s => (s.Namespace(), s.Metadata.Labels[ServiceEndpoints.ServiceNameLabel]));
        var routes = new List<ProxyRoute>();
        foreach (var service in services)
        {
            var ip = service.Spec?.ClusterIP;
            if (string.IsNullOrEmpty(ip) || ip == "None" || !IPAddress.TryParse(ip, out var address) || !IPAddress.IsLoopback(address)) continue;
            foreach (var port in service.Spec!.Ports ?? [])
            {
                if ((port.Protocol ?? "TCP") != "TCP") continue;
                var backends = byService[(service.Namespace(), service.Name())]
                    .SelectMany(slice => (slice.Endpoints ?? []).Where(e => e.Conditions?.Ready != false && e.Conditions?.Terminating != true)
                        .SelectMany(e => e.Addresses)
                        .Select(a => (a, slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == (port.Name ?? ""))?.Port)))
                    .Where(x => x.Item2 is not null).Select(x => $"{x.a}:{x.Item2}").Distinct().Order(StringComparer.Ordinal).ToList();
                routes.Add(new ProxyRoute($"{service.Namespace()}/{service.Name()}", ip, port.Port, IsHttp2(port), backends));
            }
        }
        return routes;
    }

    /// <summary>gRPC ports are cleartext HTTP/2: appProtocol <c>kubernetes.io/h2c</c> or grpc, or a port named grpc….</summary>
    public static bool IsHttp2(V1ServicePort port) =>
        port.AppProtocol is "kubernetes.io/h2c" or "grpc" or "h2c" || (port.Name ?? "").StartsWith("grpc", StringComparison.OrdinalIgnoreCase);
}
