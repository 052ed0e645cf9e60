using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Storage;

/// <summary>One served resource at one group/version, as discovery lists it.</summary>
public sealed record ResourceType
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required bool Namespaced { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public bool HasStatus { get; init; }
    /// <summary>Paths of the scale subresource, or null when the resource has none.</summary>
    public ScalePaths? Scale { get; init; }
    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];
    /// <summary>The structural schema (openAPIV3Schema) of a custom resource version.</summary>
    public JsonObject? Schema { get; init; }
    /// <summary>True for resources defined by a CustomResourceDefinition.</summary>
    public bool IsCustom { get; init; }
    /// <summary>The patch strategy for strategic merge patch; null when the type has none (custom resources).</summary>
    public bool SupportsStrategicMerge => !IsCustom;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string ListKind => Kind + "List";
    /// <summary>Objects are stored once per group and plural, whatever version they are read at.</summary>
    public string StorageKey => $"{StorageGroup ?? Group}/{Plural}";
    /// <summary>The group objects are stored under when another group serves the same objects (events.k8s.io events).</summary>
    public string? StorageGroup { get; init; }
    /// <summary>True for events.k8s.io/v1 Event, served from the core Event storage in its own shape.</summary>
    public bool IsEventsV1 => Group == "events.k8s.io";
    /// <summary>Whether DELETE answers with the deleted object (custom resources, pods, services, service accounts) rather than a Status.</summary>
    public bool ReturnsDeletedObject => IsCustom || (Group.Length == 0 && Plural is "pods" or "services" or "serviceaccounts");
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}

/// <summary>JSON paths of the scale subresource of a resource.</summary>
public sealed record ScalePaths(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);

/// <summary>One column of the Table format, from a CRD's additionalPrinterColumns or a built-in printer.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string Description = "", int Priority = 0, string? Format = null);
