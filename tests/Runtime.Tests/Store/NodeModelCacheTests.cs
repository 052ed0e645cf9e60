using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store.NodeCache;
using Xunit;

namespace ModelOperator.Runtime.Tests.Store;

/// <summary>
/// The node-local model cache as the pods of one node use it: one pull per digest, waiting pods read that pull,
/// a damaged entry is pulled again, and eviction keeps the size limit without touching a model a running pod uses.
/// The pull here writes a model file as a registry pull would, and counts how often it ran.
/// </summary>
public sealed class NodeModelCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("node-cache-").FullName;
    private readonly ManualClock _clock = new();
    private int _pulls;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private NodeModelCache Cache(long? maxBytes = null) => new(_root, maxBytes, NullLogger.Instance, _clock);

    private static string DigestOf(string model) => Digest.Of(System.Text.Encoding.UTF8.GetBytes(model));

    /// <summary>A pull of <paramref name="model"/>: its "layer" of <paramref name="size"/> bytes lands in the cache's blob store.</summary>
    private Func<CancellationToken, Task<NodeCacheFill>> Pull(NodeModelCache cache, string model, int size = 1000, TimeSpan? takes = null) => async ct =>
    {
        Interlocked.Increment(ref _pulls);
        if (takes is { } delay) await Task.Delay(delay, ct);
        var content = Enumerable.Range(0, size).Select(i => (byte)(i + model.Length)).ToArray();
        content[0] = (byte)model[0];
        var path = await cache.Blobs.StoreBytesAsync(content, ct);
        var file = new CachedFile(Path.GetRelativePath(cache.Root, path), Digest.Of(content), size);
        return new NodeCacheFill(new NodeCacheEntry(DigestOf(model), $"oci://r/{model}@{DigestOf(model)}", file.Path, [file], model, "1"), size);
    };

    [Fact]
    public async Task SecondPodOnTheNode_FindsTheVerifiedEntry_AndPullsNothing()
    {
        var cache = Cache();
        using var first = await cache.OpenAsync(DigestOf("mnist"), "pod-a", Pull(cache, "mnist"), CancellationToken.None).Lease();

        var second = await cache.OpenAsync(DigestOf("mnist"), "pod-b", Pull(cache, "mnist"), CancellationToken.None);
        second.Lease.Dispose();

        Assert.Equal(1, _pulls);
        Assert.Equal(new ModelFetch("hit", 0, DigestOf("mnist")), second.Fetch);
        Assert.Equal("mnist", second.Entry.Name);
        Assert.True(File.Exists(Path.Combine(_root, second.Entry.ModelPath)));
    }

    [Fact]
    public async Task FirstPodOnTheNode_PullsIntoTheCache_AndReportsTheBytes()
    {
        var cache = Cache();

        var opened = await cache.OpenAsync(DigestOf("mnist"), "pod-a", Pull(cache, "mnist", size: 4096), CancellationToken.None);
        opened.Lease.Dispose();

        Assert.Equal(new ModelFetch("miss", 4096, DigestOf("mnist")), opened.Fetch);
        Assert.True(File.Exists(cache.MarkerPath(DigestOf("mnist"))));
    }

    [Fact]
    public async Task ConcurrentPodsOnTheNode_WaitForOnePull_InsteadOfPullingInParallel()
    {
        var cache = Cache();

        var opens = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => cache.OpenAsync(DigestOf("resnet"), $"pod-{i}", Pull(cache, "resnet", takes: TimeSpan.FromMilliseconds(400)), CancellationToken.None))));
        foreach (var o in opens) o.Lease.Dispose();

        Assert.Equal(1, _pulls);
        Assert.Single(opens, o => o.Fetch.Cache == "miss");
        Assert.Equal(5, opens.Count(o => o.Fetch is { Cache: "hit", BytesPulled: 0 }));
    }

    [Fact]
    public async Task APullerThatDied_HoldingTheLock_DoesNotBlockTheNextPod()
    {
        var cache = Cache();
        var lockFile = Path.Combine(_root, "locks", Digest.Hex(DigestOf("bert")) + ".lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
        // flock(1) takes the same flock(2) lock the runtime takes: another process in the middle of a pull.
        using var puller = Process.Start(new ProcessStartInfo("flock", ["-x", lockFile, "sleep", "120"]) { UseShellExecute = false })!;
        var waited = Stopwatch.StartNew();
        while (!NodeCacheLockIsHeld(lockFile))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "flock did not take the digest's lock within 30 s");
            await Task.Delay(50);
        }

        var opening = cache.OpenAsync(DigestOf("bert"), "pod-b", Pull(cache, "bert"), CancellationToken.None);
        await Task.Delay(500);
        Assert.False(opening.IsCompleted, "the pod waits while another process holds the digest's lock");
        puller.Kill(entireProcessTree: true);
        var opened = await opening.WaitAsync(TimeSpan.FromSeconds(30));
        opened.Lease.Dispose();

        Assert.Equal("miss", opened.Fetch.Cache);
        Assert.Equal(1, _pulls);
    }

    private static bool NodeCacheLockIsHeld(string path)
    {
        using var taken = NodeCacheLock.TryAcquire(path);
        return taken is null;
    }

    [Fact]
    public async Task PodsOpeningACompleteEntry_VerifyItSideBySide_AndEvictionLeavesItAlone()
    {
        var cache = Cache();
        (await cache.OpenAsync(DigestOf("mnist"), "pod-a", Pull(cache, "mnist"), CancellationToken.None)).Lease.Dispose();
        var lockFile = Path.Combine(_root, "locks", Digest.Hex(DigestOf("mnist")) + ".lock");
        // Another pod in the middle of verifying the entry: it holds the shared lock.
        using var reader = await NodeCacheLock.AcquireAsync(lockFile, null, CancellationToken.None, shared: true);

        var opened = await cache.OpenAsync(DigestOf("mnist"), "pod-b", Pull(cache, "mnist"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        opened.Lease.Dispose();
        cache.Evict(0);

        Assert.Equal(("hit", 1), (opened.Fetch.Cache, _pulls));
        Assert.True(File.Exists(cache.MarkerPath(DigestOf("mnist"))), "an entry a pod is reading is not evicted");
        Assert.True(NodeCacheLockIsHeld(lockFile));
    }

    [Fact]
    public async Task DamagedEntry_IsDetectedRemovedAndPulledAgain_NeverServed()
    {
        var cache = Cache();
        var first = await cache.OpenAsync(DigestOf("mnist"), "pod-a", Pull(cache, "mnist"), CancellationToken.None);
        first.Lease.Dispose();
        var model = Path.Combine(_root, first.Entry.ModelPath);
        var good = await File.ReadAllBytesAsync(model);
        var bad = good.ToArray();
        bad[10] ^= 0xFF; // same size, other bytes: only the digest can tell
        await File.WriteAllBytesAsync(model, bad);

        var second = await cache.OpenAsync(DigestOf("mnist"), "pod-b", Pull(cache, "mnist"), CancellationToken.None);
        second.Lease.Dispose();

        Assert.Equal(2, _pulls);
        Assert.Equal("miss", second.Fetch.Cache);
        Assert.Contains("has digest", second.Fetch.Reason);
        Assert.Equal(good, await File.ReadAllBytesAsync(Path.Combine(_root, second.Entry.ModelPath)));
    }

    [Fact]
    public async Task EntryWithoutMarker_FromAPullThatNeverFinished_IsPulledAgain()
    {
        var cache = Cache();
        await cache.Blobs.StoreBytesAsync([1, 2, 3], CancellationToken.None); // a blob left behind, no marker

        var opened = await cache.OpenAsync(DigestOf("mnist"), "pod-a", Pull(cache, "mnist"), CancellationToken.None);
        opened.Lease.Dispose();

        Assert.Equal(("miss", 1), (opened.Fetch.Cache, _pulls));
    }

    [Fact]
    public async Task OverTheLimit_TheLeastRecentlyUsedEntryNoPodUses_IsEvicted()
    {
        var cache = Cache(maxBytes: 2500);
        using var inUse = await cache.OpenAsync(DigestOf("a-oldest-in-use"), "pod-a", Pull(cache, "a-oldest-in-use"), CancellationToken.None).Lease();
        _clock.Advance(TimeSpan.FromMinutes(1));
        (await cache.OpenAsync(DigestOf("b-older-idle"), "pod-b", Pull(cache, "b-older-idle"), CancellationToken.None)).Lease.Dispose();
        _clock.Advance(TimeSpan.FromMinutes(1));

        (await cache.OpenAsync(DigestOf("c-new"), "pod-c", Pull(cache, "c-new"), CancellationToken.None)).Lease.Dispose();

        Assert.True(File.Exists(cache.MarkerPath(DigestOf("a-oldest-in-use"))), "a model a running pod uses is never evicted");
        Assert.False(File.Exists(cache.MarkerPath(DigestOf("b-older-idle"))), "the least recently used idle model is evicted");
        Assert.True(File.Exists(cache.MarkerPath(DigestOf("c-new"))));
        Assert.Equal(2000, cache.SizeBytes());
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public async Task AnEvictedModel_IsPulledAgainByTheNextPod()
    {
        var cache = Cache(maxBytes: 1500);
        (await cache.OpenAsync(DigestOf("a"), "pod-a", Pull(cache, "a"), CancellationToken.None)).Lease.Dispose();
        _clock.Advance(TimeSpan.FromMinutes(1));
        (await cache.OpenAsync(DigestOf("b"), "pod-b", Pull(cache, "b"), CancellationToken.None)).Lease.Dispose();

        var again = await cache.OpenAsync(DigestOf("a"), "pod-c", Pull(cache, "a"), CancellationToken.None);
        again.Lease.Dispose();

        Assert.Equal(("miss", 3), (again.Fetch.Cache, _pulls));
    }

    [Fact]
    public async Task ALeaseLeftByAPodThatDied_DoesNotKeepItsModelFromEviction()
    {
        var cache = Cache(maxBytes: 1500);
        (await cache.OpenAsync(DigestOf("a"), "pod-a", Pull(cache, "a"), CancellationToken.None)).Lease.Dispose();
        // What a killed pod leaves: its lease file, no longer locked by anyone.
        File.WriteAllText(Path.Combine(cache.EntryFolder(DigestOf("a")), "users", "pod-dead-1-x.lease"), "");
        _clock.Advance(TimeSpan.FromMinutes(1));

        (await cache.OpenAsync(DigestOf("b"), "pod-b", Pull(cache, "b"), CancellationToken.None)).Lease.Dispose();

        Assert.False(File.Exists(cache.MarkerPath(DigestOf("a"))));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}

internal static class NodeCacheOpeningExtensions
{
    public static async Task<IDisposable> Lease(this Task<NodeCacheOpening> opening) => (await opening).Lease;
}
