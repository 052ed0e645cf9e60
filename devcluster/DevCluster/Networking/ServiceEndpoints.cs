using k8s.Models;
using ModelOperator.DevCluster.Controllers;

namespace ModelOperator.DevCluster.Networking;

/// <summary>
/// What the endpoints and endpointslice controllers publish for one Service, free of I/O: every selected pod with an
/// IP; ready when its Ready condition is True and it is not terminating; a terminating pod stays in the slice as
/// ready=false, terminating=true (serving while still Ready) and leaves the Endpoints' addresses at once.
/// </summary>
public static class ServiceEndpoints
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ManagedBy = "endpointslice-controller.k8s.io";

    /// <summary>The pods the Service selects: same namespace, every selector label matching, an IP, not finished.</summary>
    public static IReadOnlyList<V1Pod> Selected(V1Service service, IEnumerable<V1Pod> pods)
    {
        var selector = service.Spec?.Selector;
        if (selector is null || selector.Count == 0) return [];
        return pods.Where(p => p.Namespace() == service.Namespace() && !string.IsNullOrEmpty(p.Status?.PodIP)
                && p.Status?.Phase is not ("Succeeded" or "Failed")
                && selector.All(kv => p.Metadata.Labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value))
            .OrderBy(p => p.Name(), StringComparer.Ordinal).ToList();
    }

    /// <summary>The container port a Service port reaches on a pod: the number, or the named container port; null when the pod has none by that name.</summary>
    public static int? TargetPort(V1ServicePort port, V1Pod pod)
    {
        var target = port.TargetPort?.Value;
        if (string.IsNullOrEmpty(target)) return port.Port;
        if (int.TryParse(target, out var number)) return number;
        return pod.Spec?.Containers?.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == target)?.ContainerPort;
    }

    public static bool IsReady(V1Service service, V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && (service.Spec?.PublishNotReadyAddresses == true || PodState.IsReady(pod));

    public static V1Endpoints Endpoints(V1Service service, IReadOnlyList<V1Pod> pods)
    {
        var subsets = new List<V1EndpointSubset>();
        foreach (var group in pods.Where(p => p.Metadata.DeletionTimestamp is null)
                     .GroupBy(p => string.Join(",", (service.Spec.Ports ?? []).Select(sp => TargetPort(sp, p)))))
        {
            var sample = group.First();
            var ports = (service.Spec.Ports ?? []).Select(sp => (sp, target: TargetPort(sp, sample))).Where(x => x.target is not null)
                .Select(x => new Corev1EndpointPort { Name = x.sp.Name, Port = x.target!.Value, Protocol = x.sp.Protocol ?? "TCP", AppProtocol = x.sp.AppProtocol }).ToList();
            if (ports.Count == 0) continue;
            var ready = group.Where(p => IsReady(service, p)).Select(Address).ToList();
            var notReady = group.Where(p => !IsReady(service, p)).Select(Address).ToList();
            subsets.Add(new V1EndpointSubset { Addresses = ready.Count > 0 ? ready : null, NotReadyAddresses = notReady.Count > 0 ? notReady : null, Ports = ports });
        }
        return new V1Endpoints
        {
            ApiVersion = "v1", Kind = "Endpoints",
            Metadata = new V1ObjectMeta { Name = service.Name(), NamespaceProperty = service.Namespace(), Labels = service.Metadata.Labels },
            Subsets = subsets.Count > 0 ? subsets : null,
        };
    }

    public static V1EndpointSlice Slice(V1Service service, IReadOnlyList<V1Pod> pods)
    {
        var sample = pods.FirstOrDefault();
        var ports = (service.Spec.Ports ?? []).Select(sp => (sp, target: sample is null ? (int.TryParse(sp.TargetPort?.Value, out var n) ? n : sp.Port) : TargetPort(sp, sample)))
            .Where(x => x.target is not null)
            .Select(x => new Discoveryv1EndpointPort { Name = x.sp.Name ?? "", Port = x.target, Protocol = x.sp.Protocol ?? "TCP", AppProtocol = x.sp.AppProtocol }).ToList();
        var labels = new Dictionary<string, string>(service.Metadata.Labels ?? new Dictionary<string, string>())
        {
            [ServiceNameLabel] = service.Name(), [ManagedByLabel] = ManagedBy,
        };
        return new V1EndpointSlice
        {
            ApiVersion = "discovery.k8s.io/v1", Kind = "EndpointSlice", AddressType = "IPv4",
            Metadata = new V1ObjectMeta
            {
                Name = SliceName(service), NamespaceProperty = service.Namespace(), Labels = labels,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Service", Name = service.Name(), Uid = service.Uid(), Controller = true, BlockOwnerDeletion = true }],
            },
            Endpoints = pods.Select(p => new V1Endpoint
            {
                Addresses = [p.Status.PodIP],
                Conditions = new V1EndpointConditions
                {
                    Ready = IsReady(service, p), Serving = service.Spec?.PublishNotReadyAddresses == true || PodState.IsReady(p),
                    Terminating = p.Metadata.DeletionTimestamp is not null,
                },
                NodeName = p.Spec?.NodeName,
                TargetRef = new V1ObjectReference { Kind = "Pod", Name = p.Name(), NamespaceProperty = p.Namespace(), Uid = p.Uid() },
            }).ToList(),
            Ports = ports,
        };
    }

    /// <summary>One slice per Service (the dev cluster never needs more than the 100 endpoints a slice holds by default).</summary>
    public static string SliceName(V1Service service) => $"{service.Name()}-{(service.Uid() ?? "00000").Replace("-", "")[..5]}";

    private static V1EndpointAddress Address(V1Pod p) => new()
    {
        Ip = p.Status.PodIP, NodeName = p.Spec?.NodeName,
        TargetRef = new V1ObjectReference { Kind = "Pod", Name = p.Name(), NamespaceProperty = p.Namespace(), Uid = p.Uid() },
    };
}
