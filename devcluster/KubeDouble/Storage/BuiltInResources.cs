namespace ModelOperator.KubeDouble.Storage;

/// <summary>The built-in kinds the double serves, with the printer columns kubectl shows for them.</summary>
internal static class BuiltInResources
{
    private static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp");

    public static IEnumerable<ResourceType> All()
    {
        yield return Core("Namespace", "namespaces", false, ["ns"], hasStatus: true,
            columns: [new("Status", "string", ".status.phase"), Age]);
        yield return Core("Pod", "pods", true, ["po"], hasStatus: true, categories: ["all"],
            columns: [new("Ready", "string", ".status.containerStatuses[*].ready"), new("Status", "string", ".status.phase"),
                new("Restarts", "integer", ".status.containerStatuses[0].restartCount"), Age,
                new("IP", "string", ".status.podIP", Priority: 1), new("Node", "string", ".spec.nodeName", Priority: 1)]);
        yield return Core("Service", "services", true, ["svc"], hasStatus: true, categories: ["all"],
            columns: [new("Type", "string", ".spec.type"), new("Cluster-IP", "string", ".spec.clusterIP"),
                new("Ports", "string", ".spec.ports[*].port"), Age]);
        yield return Core("Endpoints", "endpoints", true, ["ep"], columns: [new("Endpoints", "string", ".subsets[*].addresses[*].ip"), Age]);
        yield return Core("ConfigMap", "configmaps", true, ["cm"], columns: [new("Data", "integer", ".data"), Age]);
        yield return Core("Secret", "secrets", true, [], columns: [new("Type", "string", ".type"), Age]);
        yield return Core("Event", "events", true, ["ev"],
            columns: [new("Type", "string", ".type"), new("Reason", "string", ".reason"),
                new("Object", "string", ".involvedObject.name"), new("Message", "string", ".message"), Age]);
        yield return Core("Node", "nodes", false, ["no"], hasStatus: true,
            columns: [new("Status", "string", ".status.conditions[?(@.type==\"Ready\")].status"), new("Roles", "string", ".metadata.labels.node-role"), Age,
                new("Version", "string", ".status.nodeInfo.kubeletVersion"),
                new("Internal-IP", "string", ".status.addresses[?(@.type==\"InternalIP\")].address", Priority: 1),
                new("External-IP", "string", ".status.addresses[?(@.type==\"ExternalIP\")].address", Priority: 1),
                new("OS-Image", "string", ".status.nodeInfo.osImage", Priority: 1), new("Kernel-Version", "string", ".status.nodeInfo.kernelVersion", Priority: 1),
                new("Container-Runtime", "string", ".status.nodeInfo.containerRuntimeVersion", Priority: 1)]);
        yield return Core("ServiceAccount", "serviceaccounts", true, ["sa"], columns: [Age]);
        yield return Apps("Deployment", "deployments", ["deploy"],
            [new("Ready", "string", ".status.readyReplicas"), new("Up-to-date", "integer", ".status.updatedReplicas"),
                new("Available", "integer", ".status.availableReplicas"), Age]);
        yield return Apps("ReplicaSet", "replicasets", ["rs"],
            [new("Desired", "integer", ".spec.replicas"), new("Current", "integer", ".status.replicas"),
                new("Ready", "integer", ".status.readyReplicas"), Age]);
        yield return new ResourceType
        {
            Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Singular = "lease",
            Namespaced = true, PrinterColumns = [new("Holder", "string", ".spec.holderIdentity"), Age],
        };
        yield return new ResourceType
        {
            Group = "discovery.k8s.io", Version = "v1", Kind = "EndpointSlice", Plural = "endpointslices", Singular = "endpointslice",
            Namespaced = true,
            PrinterColumns = [new("AddressType", "string", ".addressType"), new("Ports", "string", ".ports[*].port"),
                new("Endpoints", "string", ".endpoints[*].addresses[0]"), Age],
        };
        yield return new ResourceType
        {
            Group = "events.k8s.io", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true,
            StorageGroup = "",
            ShortNames = ["ev"],
            PrinterColumns = [new("Type", "string", ".type"), new("Reason", "string", ".reason"),
                new("Object", "string", ".regarding.name"), new("Note", "string", ".note"), Age],
        };
        yield return new ResourceType
        {
            Group = "apiextensions.k8s.io", Version = "v1", Kind = "CustomResourceDefinition",
            Plural = "customresourcedefinitions", Singular = "customresourcedefinition", Namespaced = false,
            ShortNames = ["crd", "crds"], HasStatus = true, PrinterColumns = [new("Created At", "string", ".metadata.creationTimestamp")],
        };
    }

    private static ResourceType Core(string kind, string plural, bool namespaced, string[] shortNames,
        PrinterColumn[] columns, bool hasStatus = false, string[]? categories = null) => new()
    {
        Group = "", Version = "v1", Kind = kind, Plural = plural, Singular = kind.ToLowerInvariant(), Namespaced = namespaced,
        ShortNames = shortNames, HasStatus = hasStatus, PrinterColumns = columns, Categories = categories ?? [],
    };

    private static ResourceType Apps(string kind, string plural, string[] shortNames, PrinterColumn[] columns) => new()
    {
        Group = "apps", Version = "v1", Kind = kind, Plural = plural, Singular = kind.ToLowerInvariant(), Namespaced = true,
        ShortNames = shortNames, HasStatus = true, PrinterColumns = columns, Categories = ["all"],
        Scale = new ScalePaths(".spec.replicas", ".status.replicas", ".status.selector"),
    };
}
