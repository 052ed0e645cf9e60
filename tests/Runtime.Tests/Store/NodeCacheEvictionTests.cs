using ModelOperator.Runtime.Store.NodeCache;
using Xunit;

namespace ModelOperator.Runtime.Tests.Store;

/// <summary>Which entries the node cache evicts: a table of sizes, last uses and leases at the limit's boundaries.</summary>
public sealed class NodeCacheEvictionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static EvictionCandidate Entry(string digest, int minutes, bool inUse = false, params (string Path, long Size)[] files) =>
        new(digest, T0.AddMinutes(minutes), inUse, files.Select(f => new CachedFile(f.Path, "sha256:" + new string('0', 64), f.Size)).ToList());

    [Theory]
    [InlineData(3000, "")]           // exactly at the limit: nothing goes
    [InlineData(2999, "a")]          // one byte over: the oldest idle one
    [InlineData(1000, "a,b")]        // oldest first, until it fits
    [InlineData(0, "a,b")]           // never the one in use, however far over
    public void Choose_EvictsLeastRecentlyUsedIdleEntries_UntilTheCacheFits(long limit, string expected)
    {
        var entries = new[]
        {
            Entry("b", 2, files: ("blobs/b", 1000)),
            Entry("a", 1, files: ("blobs/a", 1000)),
            Entry("c", 0, inUse: true, files: ("blobs/c", 1000)),
        };

        var chosen = NodeCacheEviction.Choose(entries, limit);

        Assert.Equal(expected, string.Join(',', chosen));
    }

    [Fact]
    public void Choose_NeverEvictsTheEntryJustOpened()
    {
        var entries = new[] { Entry("new", 0, files: ("blobs/new", 1000)) };

        Assert.Empty(NodeCacheEviction.Choose(entries, 10, keep: "new"));
    }

    [Fact]
    public void AFileSharedByTwoEntries_CountsOnce_AndFreesNothingUntilBothGo()
    {
        var entries = new[]
        {
            Entry("a", 1, files: [("blobs/shared", 1000), ("blobs/a", 10)]),
            Entry("b", 2, files: [("blobs/shared", 1000), ("blobs/b", 10)]),
        };

        Assert.Equal(1020, NodeCacheEviction.TotalBytes(entries));
        Assert.Equal(["a"], NodeCacheEviction.Choose(entries, 1015));
        Assert.Equal(["a", "b"], NodeCacheEviction.Choose(entries, 1000));
    }
}
