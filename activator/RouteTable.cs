using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.ScaleToZero;

namespace ModelOperator.Activator;

/// <summary>
/// Which model a request is for, free of I/O. kube-proxy rewrites only the destination address, so the request still
/// carries the Host (HTTP/1.1) or :authority (gRPC) its client used: the Service's cluster IP, or its DNS name
/// (<c>name</c>, <c>name.ns</c>, <c>name.ns.svc</c>, <c>name.ns.svc.cluster.local</c>). A bare name that two namespaces
/// share is ambiguous and left out; then the OIP v2 path (<c>/v2/models/{name}/…</c>) decides when the name is unique.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, ModelRoute> _byKey;
    private readonly Dictionary<string, string> _hosts;
    private readonly Dictionary<string, string> _modelNames;

    private RouteTable(Dictionary<string, ModelRoute> byKey, Dictionary<string, string> hosts, Dictionary<string, string> modelNames)
    {
        _byKey = byKey;
        _hosts = hosts;
        _modelNames = modelNames;
    }

    /// <summary>No model.</summary>
    public static RouteTable Empty { get; } = new([], [], []);

    /// <summary>Every model by namespace/name.</summary>
    public IReadOnlyDictionary<string, ModelRoute> Models => _byKey;

    /// <summary>Builds the table from the scale-to-zero ModelDeployments, their Services and their EndpointSlices (the pods' ones give the backends, the operator's activator slice the activator replicas).</summary>
    public static RouteTable Build(IEnumerable<ModelDeployment> models, IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var serviceByKey = services.ToDictionary(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}");
        var slicesByService = slices
            .Where(s => s.Metadata.Labels is { } labels && labels.ContainsKey(ActivatorSlice.ServiceNameLabel)
                        && !(labels.TryGetValue(ActivatorSlice.ManagedByLabel, out var manager) && manager == ActivatorSlice.ManagedBy))
            .ToLookup(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Labels[ActivatorSlice.ServiceNameLabel]}");
        var activatorsByService = slices
            .Where(s => s.Metadata.Labels is { } labels && labels.ContainsKey(ActivatorSlice.ServiceNameLabel)
                        && labels.TryGetValue(ActivatorSlice.ManagedByLabel, out var manager) && manager == ActivatorSlice.ManagedBy)
            .ToLookup(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Labels[ActivatorSlice.ServiceNameLabel]}");
        var byKey = new Dictionary<string, ModelRoute>();
        var hosts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var ambiguous = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var ambiguousNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var md in models)
        {
            if (md.Spec.Autoscaling?.ScaleToZero is not { } zero) continue;
            var ns = md.Metadata.NamespaceProperty ?? "default";
            var name = md.Metadata.Name;
            var key = $"{ns}/{name}";
            var routeSlices = slicesByService[key].ToList();
            var route = new ModelRoute(ns, name, zero.MaxHeldRequests ?? ScaleToZeroSpec.DefaultMaxHeldRequests, ScaleToZeroStatus.ColdStartTimeout(zero),
                Backends(routeSlices, "http"), Backends(routeSlices, "grpc"), Demand.SinceLastScale(md) is not null, Addresses(activatorsByService[key]));
            byKey[key] = route;
            if (!names.TryAdd(name, key)) ambiguousNames.Add(name);
            if (serviceByKey.TryGetValue(key, out var service) && service.Spec?.ClusterIP is { Length: > 0 } ip && ip != "None") hosts[ip] = key;
            foreach (var host in new[] { $"{name}.{ns}", $"{name}.{ns}.svc", $"{name}.{ns}.svc.cluster.local" }) hosts[host] = key;
            if (!hosts.TryAdd(name, key) && hosts[name] != key) ambiguous.Add(name);
        }
        foreach (var name in ambiguous) hosts.Remove(name);
        foreach (var name in ambiguousNames) names.Remove(name);
        return new RouteTable(byKey, hosts, names);
    }

    /// <summary>The model a request is for; null when neither its host nor its path names one.</summary>
    public ModelRoute? Resolve(string? host, string? path)
    {
        if (!string.IsNullOrEmpty(host) && _hosts.TryGetValue(StripPort(host), out var key)) return _byKey[key];
        if (path is not null && path.StartsWith("/v2/models/", StringComparison.Ordinal))
        {
            var rest = path["/v2/models/".Length..];
            var name = rest.Split('/')[0];
            if (_modelNames.TryGetValue(name, out var byName)) return _byKey[byName];
        }
        return null;
    }

    /// <summary>The route of namespace/name, as now.</summary>
    public ModelRoute? Get(string key) => _byKey.GetValueOrDefault(key);

    private static string StripPort(string host)
    {
        if (host.StartsWith('[')) return host; // IPv6 literal: not a cluster IP the dev cluster or this table uses
        var colon = host.LastIndexOf(':');
        return colon > 0 ? host[..colon] : host;
    }

    private static List<string> Addresses(IEnumerable<V1EndpointSlice> slices) =>
        slices.SelectMany(s => (s.Endpoints ?? []).Where(e => e.Conditions?.Ready != false && e.Conditions?.Terminating != true).SelectMany(e => e.Addresses ?? []))
            .Distinct().Order(StringComparer.Ordinal).ToList();

    private static List<string> Backends(IEnumerable<V1EndpointSlice> slices, string portName) =>
        slices.SelectMany(s => (s.Endpoints ?? []).Where(e => e.Conditions?.Ready != false && e.Conditions?.Terminating != true)
                .SelectMany(e => e.Addresses ?? []).Select(a => (a, s.Ports?.FirstOrDefault(p => p.Name == portName)?.Port)))
            .Where(x => x.Item2 is not null).Select(x => $"{x.a}:{x.Item2}").Distinct().Order(StringComparer.Ordinal).ToList();
}
