namespace ModelOperator.Runtime.Store.NodeCache;

/// <summary>A complete cache entry as eviction sees it: when it was last used, and its files.</summary>
internal sealed record EvictionCandidate(string Digest, DateTimeOffset LastUsed, bool InUse, IReadOnlyList<CachedFile> Files);

/// <summary>
/// Which entries to evict so the cache fits its size limit: least recently used first, never one a running pod uses
/// (nor the one just opened). A file shared by two entries is counted once and frees space only when both go.
/// </summary>
internal static class NodeCacheEviction
{
    public static IReadOnlyList<string> Choose(IReadOnlyList<EvictionCandidate> entries, long maxBytes, string? keep = null)
    {
        var total = TotalBytes(entries);
        var evicted = new List<string>();
        var remaining = entries.ToList();
        foreach (var entry in entries.Where(e => !e.InUse && e.Digest != keep).OrderBy(e => e.LastUsed).ThenBy(e => e.Digest, StringComparer.Ordinal))
        {
            if (total <= maxBytes) break;
            remaining.Remove(entry);
            var stillUsed = remaining.SelectMany(e => e.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            total -= entry.Files.Where(f => !stillUsed.Contains(f.Path)).DistinctBy(f => f.Path).Sum(f => f.Size);
            evicted.Add(entry.Digest);
        }
        return evicted;
    }

    /// <summary>Bytes the entries take on disk, each file once.</summary>
    public static long TotalBytes(IEnumerable<EvictionCandidate> entries) =>
        entries.SelectMany(e => e.Files).DistinctBy(f => f.Path).Sum(f => f.Size);
}
