using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.ScaleToZero;

/// <summary>The activator's ready pods and the ports it serves each protocol on, as its own Service's EndpointSlices show them.</summary>
/// <param name="Addresses">The ready activator pods' IPs, in a stable order.</param>
/// <param name="Ports">Port name (http, grpc) to the activator's container port.</param>
public sealed record ActivatorEndpoints(IReadOnlyList<string> Addresses, IReadOnlyDictionary<string, int> Ports)
{
    /// <summary>No activator pod is ready.</summary>
    public static ActivatorEndpoints None { get; } = new([], new Dictionary<string, int>());

    /// <summary>The ready endpoints of the activator Service's slices (every slice, as kube-proxy merges them).</summary>
    public static ActivatorEndpoints From(IEnumerable<V1EndpointSlice> slices)
    {
        var list = slices.ToList();
        var addresses = list.SelectMany(s => s.Endpoints ?? []).Where(e => e.Conditions?.Ready != false && e.Conditions?.Terminating != true)
            .SelectMany(e => e.Addresses ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var ports = list.SelectMany(s => s.Ports ?? []).Where(p => p.Port is not null && !string.IsNullOrEmpty(p.Name))
            .GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().Port!.Value);
        return new ActivatorEndpoints(addresses, ports);
    }
}

/// <summary>
/// The EndpointSlice that routes a model's Service to the activator while the model has no ready pod, free of I/O.
/// It carries <c>kubernetes.io/service-name</c> of the model's Service and <c>endpointslice.kubernetes.io/managed-by</c>
/// of the operator, so kube-proxy (which merges every slice of a Service) sends the Service's traffic to the activator,
/// and the endpointslice controller (which manages only its own slices) leaves it alone. Each Service port maps to the
/// activator's port of the same name (http, grpc), so both protocols reach it.
/// </summary>
public static class ActivatorSlice
{
    /// <summary>The <c>endpointslice.kubernetes.io/managed-by</c> value of the operator's slices.</summary>
    public const string ManagedBy = "model-operator.serving.modeloperator.io";

    /// <summary>The label kube-proxy groups slices by.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The label naming a slice's manager.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";

    /// <summary>The slice's name: the model's Service's name with a suffix no endpointslice controller uses.</summary>
    public static string Name(ModelDeployment md) => $"{md.Metadata.Name}-activator";

    /// <summary>Whether the activator must receive the model's requests: it scales to zero and none of its pods is ready.</summary>
    public static bool Needed(ModelDeployment md, IEnumerable<V1Pod> pods) =>
        md.Spec.Autoscaling?.ScaleToZero is not null && md.Metadata.DeletionTimestamp is null && !pods.Any(IsReady);

    /// <summary>The slice for the model's Service; null when no activator pod is ready (an empty slice would route nowhere).</summary>
    public static V1EndpointSlice? Build(ModelDeployment md, V1Service service, ActivatorEndpoints activator)
    {
        if (activator.Addresses.Count == 0) return null;
        var ports = (service.Spec?.Ports ?? []).Where(p => activator.Ports.ContainsKey(p.Name ?? ""))
            .Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = activator.Ports[p.Name!], Protocol = p.Protocol ?? "TCP", AppProtocol = p.AppProtocol })
            .ToList();
        if (ports.Count == 0) return null;
        var labels = ChildObjects.Labels(md.Metadata.Name, null);
        labels[ServiceNameLabel] = service.Metadata.Name;
        labels[ManagedByLabel] = ManagedBy;
        return new V1EndpointSlice
        {
            ApiVersion = "discovery.k8s.io/v1", Kind = "EndpointSlice", AddressType = "IPv4",
            Metadata = new V1ObjectMeta
            {
                Name = Name(md), NamespaceProperty = md.Metadata.NamespaceProperty, Labels = labels,
                OwnerReferences = [ChildObjects.OwnerReference(md)],
            },
            Endpoints = activator.Addresses.Select(a => new V1Endpoint
            {
                Addresses = [a],
                Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
            }).ToList(),
            Ports = ports,
        };
    }

    /// <summary>Whether the stored slice already routes as <paramref name="desired"/> does.</summary>
    public static bool Same(V1EndpointSlice live, V1EndpointSlice desired) =>
        Addresses(live).SequenceEqual(Addresses(desired))
        && (live.Ports ?? []).Select(p => (p.Name, p.Port)).OrderBy(p => p.Name, StringComparer.Ordinal)
            .SequenceEqual((desired.Ports ?? []).Select(p => (p.Name, p.Port)).OrderBy(p => p.Name, StringComparer.Ordinal));

    private static IEnumerable<string> Addresses(V1EndpointSlice slice) =>
        (slice.Endpoints ?? []).SelectMany(e => e.Addresses ?? []).Order(StringComparer.Ordinal);

    private static bool IsReady(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
