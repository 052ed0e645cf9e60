using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Watch;

namespace ModelOperator.KubeDouble.Storage;

/// <summary>
/// The double's etcd: every object as schema-less JSON, one global resourceVersion counter and the watch history.
/// Tests read it directly for assertions; everything else goes through the HTTP API.
/// </summary>
public sealed class ObjectStore
{
    private readonly Dictionary<(string StorageKey, string Namespace, string Name), JsonObject> _objects = new();
    private readonly ResourceRegistry _registry;
    internal readonly object Sync = new();
    internal WatchHistory History { get; }
    private long _revision;

    internal ObjectStore(ResourceRegistry registry, int historyCapacity)
    {
        _registry = registry;
        History = new WatchHistory(historyCapacity);
    }

    /// <summary>The newest resourceVersion handed out.</summary>
    public long CurrentRevision { get { lock (Sync) return _revision; } }

    /// <summary>A copy of one stored object, or null. <paramref name="version"/> only changes the apiVersion shown.</summary>
    public JsonObject? Get(string group, string? version, string resource, string? ns, string name)
    {
        lock (Sync)
        {
            var found = _objects.GetValueOrDefault(($"{group}/{resource}", ns ?? "", name));
            return found is null ? null : WithVersion(found, group, version);
        }
    }

    /// <summary>Copies of the stored objects of one resource, in one namespace or all (<paramref name="ns"/> null).</summary>
    public IReadOnlyList<JsonObject> List(string group, string? version, string resource, string? ns = null)
    {
        lock (Sync)
            return [.. _objects.Where(kv => kv.Key.StorageKey == $"{group}/{resource}" && (ns is null || kv.Key.Namespace == ns))
                .OrderBy(kv => kv.Key.Namespace, StringComparer.Ordinal).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
                .Select(kv => WithVersion(kv.Value, group, version))];
    }

    private static JsonObject WithVersion(JsonObject stored, string group, string? version)
    {
        var copy = (JsonObject)stored.DeepClone();
        if (version is not null) copy["apiVersion"] = group.Length == 0 ? version : $"{group}/{version}";
        return copy;
    }

    // The members below are called with Sync held.

    internal JsonObject? Read(ResourceType type, string ns, string name) =>
        _objects.GetValueOrDefault((type.StorageKey, ns, name));

    internal IEnumerable<JsonObject> ReadAll(string storageKey, string? ns) =>
        _objects.Where(kv => kv.Key.StorageKey == storageKey && (ns is null || kv.Key.Namespace == ns))
            .OrderBy(kv => kv.Key.Namespace, StringComparer.Ordinal).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
            .Select(kv => kv.Value);

    internal IEnumerable<(string StorageKey, JsonObject Object)> ReadEverything() =>
        _objects.Select(kv => (kv.Key.StorageKey, kv.Value)).ToList();

    internal long Revision => _revision;

    /// <summary>Stores a created or changed object under a new resourceVersion and records the watch event.</summary>
    internal JsonObject Put(ResourceType type, JsonObject obj)
    {
        var (ns, name) = ObjectMeta.Key(obj);
        var key = (type.StorageKey, ns, name);
        var previous = _objects.GetValueOrDefault(key);
        var revision = ++_revision;
        obj["metadata"]!["resourceVersion"] = revision.ToString();
        var stored = (JsonObject)obj.DeepClone();
        stored["apiVersion"] = type.IsEventsV1 ? "v1" : type.ApiVersion;
        _objects[key] = stored;
        History.Append(new WatchEvent(revision, previous is null ? "ADDED" : "MODIFIED", type.StorageKey, ns, name,
            (JsonObject)stored.DeepClone(), previous));
        return (JsonObject)stored.DeepClone();
    }

    /// <summary>Removes an object for good; the DELETED event carries it at a new resourceVersion.</summary>
    internal JsonObject? Remove(string storageKey, string ns, string name)
    {
        if (!_objects.Remove((storageKey, ns, name), out var previous)) return null;
        var revision = ++_revision;
        var last = (JsonObject)previous.DeepClone();
        last["metadata"]!["resourceVersion"] = revision.ToString();
        History.Append(new WatchEvent(revision, "DELETED", storageKey, ns, name, (JsonObject)last.DeepClone(), previous));
        return last;
    }

    internal ResourceRegistry Registry => _registry;
}
