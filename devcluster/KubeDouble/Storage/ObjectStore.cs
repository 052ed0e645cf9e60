using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Watch;

namespace ModelOperator.KubeDouble.Storage;

/// <summary>
/// The double's etcd: every object as schema-less JSON, one global resourceVersion counter and the watch history,
/// with the indexes the controllers need (by uid, objects with owners, objects being deleted).
/// Tests read it directly for assertions; everything else goes through the HTTP API.
/// </summary>
public sealed class ObjectStore
{
    private readonly Dictionary<string, SortedDictionary<(string Namespace, string Name), JsonObject>> _byResource = new();
    private readonly Dictionary<string, (string StorageKey, string Namespace, string Name)> _byUid = new();
    private readonly HashSet<(string StorageKey, string Namespace, string Name)> _withOwners = new();
    private readonly HashSet<(string StorageKey, string Namespace, string Name)> _deleting = new();
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
            var found = Find($"{group}/{resource}", ns ?? "", name);
            return found is null ? null : WithVersion(found, group, version);
        }
    }

    /// <summary>Copies of the stored objects of one resource, in one namespace or all (<paramref name="ns"/> null).</summary>
    public IReadOnlyList<JsonObject> List(string group, string? version, string resource, string? ns = null)
    {
        lock (Sync) return [.. ReadAll($"{group}/{resource}", ns).Select(o => WithVersion(o, group, version))];
    }

    /// <summary>
    /// Reads one stored object (or null) under the store's lock without copying it, for cheap polling.
    /// <paramref name="read"/> must neither change the object nor keep a reference to it.
    /// </summary>
    public T Inspect<T>(string group, string resource, string? ns, string name, Func<JsonObject?, T> read)
    {
        lock (Sync) return read(Find($"{group}/{resource}", ns ?? "", name));
    }

    private static JsonObject WithVersion(JsonObject stored, string group, string? version)
    {
        var copy = (JsonObject)stored.DeepClone();
        if (version is not null) copy["apiVersion"] = group.Length == 0 ? version : $"{group}/{version}";
        return copy;
    }

    // The members below are called with Sync held.

    private JsonObject? Find(string storageKey, string ns, string name) =>
        _byResource.TryGetValue(storageKey, out var objects) ? objects.GetValueOrDefault((ns, name)) : null;

    internal JsonObject? Read(ResourceType type, string ns, string name) => Find(type.StorageKey, ns, name);

    internal IEnumerable<JsonObject> ReadAll(string storageKey, string? ns)
    {
        if (!_byResource.TryGetValue(storageKey, out var objects)) return [];
        return ns is null ? objects.Values : objects.Where(kv => kv.Key.Namespace == ns).Select(kv => kv.Value);
    }

    internal IEnumerable<(string StorageKey, JsonObject Object)> ReadEverything() =>
        _byResource.SelectMany(r => r.Value.Values.Select(o => (r.Key, o))).ToList();

    internal bool UidExists(string uid) => _byUid.ContainsKey(uid);

    internal JsonObject? ReadByUid(string uid) =>
        _byUid.TryGetValue(uid, out var key) ? Find(key.StorageKey, key.Namespace, key.Name) : null;

    /// <summary>Objects that have owner references.</summary>
    internal List<(string StorageKey, JsonObject Object)> WithOwners() =>
        [.. _withOwners.Select(k => (k.StorageKey, Find(k.StorageKey, k.Namespace, k.Name)!))];

    /// <summary>Objects that carry a deletionTimestamp.</summary>
    internal List<(string StorageKey, JsonObject Object)> Deleting() =>
        [.. _deleting.Select(k => (k.StorageKey, Find(k.StorageKey, k.Namespace, k.Name)!))];

    internal long Revision => _revision;

    /// <summary>Stores a created or changed object under a new resourceVersion and records the watch event.</summary>
    internal JsonObject Put(ResourceType type, JsonObject obj)
    {
        var (ns, name) = ObjectMeta.Key(obj);
        if (!_byResource.TryGetValue(type.StorageKey, out var objects))
            _byResource[type.StorageKey] = objects = new SortedDictionary<(string, string), JsonObject>(OrdinalKeyComparer.Instance);
        var previous = objects.GetValueOrDefault((ns, name));
        var revision = ++_revision;
        obj["metadata"]!["resourceVersion"] = revision.ToString();
        obj["apiVersion"] = type.IsEventsV1 ? "v1" : type.ApiVersion;
        var stored = (JsonObject)obj.DeepClone();
        objects[(ns, name)] = stored;
        Index(type.StorageKey, stored);
        // Stored objects are never changed in place (every write replaces them), so the event shares the stored
        // copy, as it already shares the previous one; the caller keeps its own copy, which equals the stored one.
        History.Append(new WatchEvent(revision, previous is null ? "ADDED" : "MODIFIED", type.StorageKey, ns, name, stored, previous));
        return obj;
    }

    /// <summary>Removes an object for good; the DELETED event carries it at a new resourceVersion.</summary>
    internal JsonObject? Remove(string storageKey, string ns, string name)
    {
        if (!_byResource.TryGetValue(storageKey, out var objects) || !objects.Remove((ns, name), out var previous)) return null;
        Unindex(storageKey, previous);
        var revision = ++_revision;
        var last = (JsonObject)previous.DeepClone();
        last["metadata"]!["resourceVersion"] = revision.ToString();
        History.Append(new WatchEvent(revision, "DELETED", storageKey, ns, name, (JsonObject)last.DeepClone(), previous));
        return last;
    }

    private void Index(string storageKey, JsonObject obj)
    {
        var key = (storageKey, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj));
        _byUid[ObjectMeta.Uid(obj)] = key;
        if (ObjectMeta.OwnerReferences(obj).Any()) _withOwners.Add(key); else _withOwners.Remove(key);
        if (ObjectMeta.IsDeleting(obj)) _deleting.Add(key); else _deleting.Remove(key);
    }

    private void Unindex(string storageKey, JsonObject obj)
    {
        var key = (storageKey, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj));
        _byUid.Remove(ObjectMeta.Uid(obj));
        _withOwners.Remove(key);
        _deleting.Remove(key);
    }

    internal ResourceRegistry Registry => _registry;

    private sealed class OrdinalKeyComparer : IComparer<(string, string)>
    {
        public static readonly OrdinalKeyComparer Instance = new();

        public int Compare((string, string) x, (string, string) y) =>
            string.CompareOrdinal(x.Item1, y.Item1) is var c && c != 0 ? c : string.CompareOrdinal(x.Item2, y.Item2);
    }
}
