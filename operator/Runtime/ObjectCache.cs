using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace ModelOperator.Operator.Runtime;

/// <summary>The latest copy of every watched object, keyed by namespace/name, with an index by an owner label.</summary>
public sealed class ObjectCache<T>(string? ownerLabel = null) where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _writes = new();
    private readonly ConcurrentDictionary<string, T> _items = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, T>> _byOwner = new();

    /// <summary>Number of cached objects.</summary>
    public int Count => _items.Count;

    /// <summary>The namespace/name key of an object.</summary>
    public static string KeyOf(T item) => $"{item.Metadata.NamespaceProperty}/{item.Metadata.Name}";

    /// <summary>The cached object, or default.</summary>
    public T? Get(string key) => _items.TryGetValue(key, out var v) ? v : default;

    /// <summary>Every cached object whose owner label names <paramref name="ownerKey"/> (namespace/name).</summary>
    public IReadOnlyCollection<T> OwnedBy(string ownerKey) =>
        _byOwner.TryGetValue(ownerKey, out var set) ? set.Values.ToList() : [];

    /// <summary>All keys.</summary>
    public IReadOnlyCollection<string> Keys => _items.Keys.ToList();

    /// <summary>
    /// Stores or replaces an object, unless the cache holds a later copy of it (a greater resourceVersion, where they
    /// compare): the answer to the operator's own write can reach it after the watch delivered a later change by
    /// someone else, and writing it through must not roll that change back.
    /// </summary>
    /// <returns>False when the later copy was kept.</returns>
    public bool Upsert(T item)
    {
        var key = KeyOf(item);
        lock (_writes)
        {
            if (_items.TryGetValue(key, out var old))
            {
                if (ResourceVersions.IsNewer(old.Metadata.ResourceVersion, item.Metadata.ResourceVersion)) return false;
                Unindex(key, old);
            }
            _items[key] = item;
            if (OwnerKey(item) is { } owner) _byOwner.GetOrAdd(owner, _ => new())[key] = item;
            return true;
        }
    }

    /// <summary>Removes an object.</summary>
    public void Remove(T item)
    {
        var key = KeyOf(item);
        lock (_writes)
            if (_items.TryRemove(key, out var old)) Unindex(key, old);
    }

    /// <summary>The owner key (namespace/name) an object maps to through the owner label, or null.</summary>
    public string? OwnerKey(T item) =>
        ownerLabel is not null && item.Metadata.Labels is { } l && l.TryGetValue(ownerLabel, out var owner)
            ? $"{item.Metadata.NamespaceProperty}/{owner}" : null;

    private void Unindex(string key, T old)
    {
        if (OwnerKey(old) is { } owner && _byOwner.TryGetValue(owner, out var set)) set.TryRemove(key, out _);
    }
}
