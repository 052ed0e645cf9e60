using System.Collections.Concurrent;

namespace ModelOperator.KubeDouble.Storage;

/// <summary>
/// Every resource the double serves: the built-in kinds plus those defined by stored CustomResourceDefinitions.
/// Discovery, routing and the Table format all read from here, so a created CRD is served at once.
/// </summary>
public sealed class ResourceRegistry
{
    private readonly ConcurrentDictionary<(string Group, string Version, string Plural), ResourceType> _types = new();
    private readonly ConcurrentDictionary<string, IReadOnlyList<ResourceType>> _byCrd = new();

    internal ResourceRegistry()
    {
        foreach (var type in BuiltInResources.All().Concat(PlatformResources.All())) _types[(type.Group, type.Version, type.Plural)] = type;
    }

    public ResourceType? Find(string group, string version, string plural) =>
        _types.TryGetValue((group, version, plural), out var type) ? type : null;

    /// <summary>Finds a resource by group and plural at its first (preferred) served version.</summary>
    public ResourceType? FindAnyVersion(string group, string plural) =>
        All().Where(t => t.Group == group && t.Plural == plural).OrderBy(t => t.Version, KubeVersionComparer.Instance).FirstOrDefault();

    public ResourceType? FindByKind(string apiVersion, string kind) =>
        All().FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    public IReadOnlyList<ResourceType> All() => [.. _types.Values];

    /// <summary>Group/version pairs served, groups in registration order and versions preferred first.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        [.. All().Where(t => t.Group.Length > 0).GroupBy(t => t.Group).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(t => t.Version).Distinct().OrderBy(v => v, KubeVersionComparer.Instance)]))];

    internal void RegisterCrd(string crdName, IReadOnlyList<ResourceType> types)
    {
        UnregisterCrd(crdName);
        foreach (var type in types) _types[(type.Group, type.Version, type.Plural)] = type;
        _byCrd[crdName] = types;
    }

    internal void UnregisterCrd(string crdName)
    {
        if (!_byCrd.TryRemove(crdName, out var old)) return;
        foreach (var type in old) _types.TryRemove((type.Group, type.Version, type.Plural), out _);
    }
}
