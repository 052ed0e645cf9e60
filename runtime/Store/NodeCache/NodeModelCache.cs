using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.NodeCache;

/// <summary>What a pull into the node cache produced: the entry to mark complete, and the bytes it downloaded.</summary>
internal sealed record NodeCacheFill(NodeCacheEntry Entry, long BytesPulled);

/// <summary>An open cache entry: the verified entry, how it was got, and the lease that keeps it from eviction while the pod runs.</summary>
internal sealed record NodeCacheOpening(NodeCacheEntry Entry, ModelFetch Fetch, NodeCacheLease Lease);

/// <summary>
/// The node-local model cache (<c>serve --model-cache-dir</c>), shared by every runtime pod on a node through a hostPath
/// or volume, keyed by manifest digest. The first pod to open a digest pulls it under the digest's exclusive lock; pods
/// that open it meanwhile wait for that pull, then verify and read it under the shared lock, side by side. An entry counts only once its marker is written, after every
/// file was verified; every open re-verifies the files, and a damaged entry is deleted and pulled again, never served.
/// Past <c>--model-cache-max-bytes</c>, the least recently used entries no running pod holds a lease on are evicted.
/// </summary>
/// <remarks>
/// Layout under the root: <c>blobs/</c>, <c>unpacked/</c> and <c>ingest/</c> as <see cref="ModelCache"/> keeps them;
/// <c>entries/&lt;hex&gt;/complete.json</c> (the marker), <c>entries/&lt;hex&gt;/last-used</c> (its time is the LRU
/// clock), <c>entries/&lt;hex&gt;/users/*.lease</c>; <c>locks/&lt;hex&gt;.lock</c>.
/// </remarks>
internal sealed class NodeModelCache(string root, long? maxBytes, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Root { get; } = Path.GetFullPath(root);
    public long? MaxBytes => maxBytes;

    /// <summary>The blob store inside the node cache, which the puller fills.</summary>
    public ModelCache Blobs => new(Root);

    /// <summary>Entries evicted by this process (for the metric).</summary>
    public int Evictions { get; private set; }

    public string EntryFolder(string digest) => Path.Combine(Root, "entries", Packaging.Digest.Hex(digest));
    public string MarkerPath(string digest) => Path.Combine(EntryFolder(digest), "complete.json");
    private string LockPath(string digest) => Path.Combine(Root, "locks", Packaging.Digest.Hex(digest) + ".lock");
    private string LastUsedPath(string digest) => Path.Combine(EntryFolder(digest), "last-used");
    private string UsersFolder(string digest) => Path.Combine(EntryFolder(digest), "users");

    /// <summary>
    /// The verified entry of <paramref name="digest"/>, pulled by <paramref name="pull"/> when the cache has none (or a
    /// damaged one); the returned lease must be held while the model is served.
    /// </summary>
    /// <param name="owner">Who holds the lease (the pod's name), for an operator reading the folder.</param>
    public async Task<NodeCacheOpening> OpenAsync(string digest, string owner, Func<CancellationToken, Task<NodeCacheFill>> pull, CancellationToken ct)
    {
        Packaging.Digest.Validate(digest, "the model");
        // The lease comes first: from here an evictor skips this digest.
        var lease = NodeCacheLease.Take(UsersFolder(digest), owner);
        try
        {
            ModelFetch fetch;
            NodeCacheEntry entry;
            void Waiting() => logger.LogInformation("Waiting for another pod's pull of {Digest} into the node cache", digest);
            // A complete entry is verified under the shared lock, side by side with other pods starting on it.
            if (File.Exists(MarkerPath(digest)))
                using (await NodeCacheLock.AcquireAsync(LockPath(digest), Waiting, ct, shared: true))
                    if (NodeCacheEntry.Read(MarkerPath(digest)) is { } complete && await complete.VerifyAsync(Root, ct, deleteDamaged: false) is null)
                        return Hit(complete, digest, lease);
            using (await NodeCacheLock.AcquireAsync(LockPath(digest), Waiting, ct))
            {
                string? damage = null;
                if (NodeCacheEntry.Read(MarkerPath(digest)) is { } marked)
                {
                    damage = await marked.VerifyAsync(Root, ct);
                    if (damage is null) return Hit(marked, digest, lease);
                    logger.LogWarning("Removed the damaged node cache entry {Digest}: {Problem}; pulling it again", digest, damage);
                    File.Delete(MarkerPath(digest));
                }
                var fill = await pull(ct);
                entry = fill.Entry;
                if (entry.Digest != digest)
                    throw new PackageException($"the node cache asked for {digest} but the pull produced {entry.Digest}");
                entry.Write(MarkerPath(digest));
                Touch(digest);
                fetch = new ModelFetch(ModelFetch.Miss, fill.BytesPulled, digest, damage is null ? null : $"the cached entry was damaged: {damage}");
                logger.LogInformation("Pulled {Digest} into the node cache {CacheDir}: {BytesPulled} bytes from the registry", digest, Root, fill.BytesPulled);
            }
            if (maxBytes is { } limit) Evict(limit, keep: digest);
            return new NodeCacheOpening(entry, fetch, lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private NodeCacheOpening Hit(NodeCacheEntry entry, string digest, NodeCacheLease lease)
    {
        Touch(digest);
        logger.LogInformation("Found {Digest} in the node cache {CacheDir}: verified {Files} files, {Bytes} bytes, nothing pulled",
            digest, Root, entry.Files.Count, entry.Size);
        return new NodeCacheOpening(entry, new ModelFetch(ModelFetch.Hit, 0, digest), lease);
    }

    /// <summary>Evicts least recently used entries without a live lease until the cache fits <paramref name="limit"/>.</summary>
    public void Evict(long limit, string? keep = null)
    {
        var candidates = Candidates();
        var chosen = NodeCacheEviction.Choose(candidates, limit, keep);
        foreach (var digest in chosen)
        {
            // Under the digest's lock, so no pod is reading or pulling it, and with the leases checked again under it.
            using var held = NodeCacheLock.TryAcquire(LockPath(digest));
            if (held is null || NodeCacheLease.AnyHeld(UsersFolder(digest))) continue;
            var evicted = NodeCacheEntry.Read(MarkerPath(digest));
            File.Delete(MarkerPath(digest));
            var kept = Candidates().SelectMany(c => c.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var file in evicted?.Files ?? [])
                if (!kept.Contains(file.Path)) File.Delete(Path.Combine(Root, file.Path));
            DeleteFolder(EntryFolder(digest));
            DeleteFolder(Path.Combine(Root, "unpacked", Packaging.Digest.Hex(digest)));
            Evictions++;
            logger.LogInformation("Evicted {Digest} from the node cache {CacheDir} (least recently used; limit {LimitBytes} bytes)", digest, Root, limit);
        }
        var total = NodeCacheEviction.TotalBytes(Candidates());
        if (total > limit)
            logger.LogWarning("The node cache {CacheDir} holds {Bytes} bytes, over its limit of {LimitBytes}: every remaining entry is in use", Root, total, limit);
    }

    /// <summary>Bytes the complete entries take, each file once.</summary>
    public long SizeBytes() => NodeCacheEviction.TotalBytes(Candidates());

    private List<EvictionCandidate> Candidates()
    {
        var entries = Path.Combine(Root, "entries");
        if (!Directory.Exists(entries)) return [];
        var list = new List<EvictionCandidate>();
        foreach (var folder in Directory.EnumerateDirectories(entries))
        {
            if (NodeCacheEntry.Read(Path.Combine(folder, "complete.json")) is not { } entry) continue;
            var lastUsed = File.Exists(Path.Combine(folder, "last-used")) ? File.GetLastWriteTimeUtc(Path.Combine(folder, "last-used")) : DateTime.MinValue;
            list.Add(new EvictionCandidate(entry.Digest, new DateTimeOffset(lastUsed, TimeSpan.Zero), NodeCacheLease.AnyHeld(Path.Combine(folder, "users")), entry.Files));
        }
        return list;
    }

    private void Touch(string digest)
    {
        var path = LastUsedPath(digest);
        if (!File.Exists(path)) File.WriteAllBytes(path, []);
        File.SetLastWriteTimeUtc(path, _time.GetUtcNow().UtcDateTime);
    }

    private static void DeleteFolder(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { /* a lease file created meanwhile: the entry folder stays, harmlessly */ }
    }
}
