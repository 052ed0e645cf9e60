using k8s.Models;
using ModelOperator.Operator.Runtime;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class ObjectCacheTests
{
    private static V1Deployment Deployment(string resourceVersion, string owner = "web") => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", ResourceVersion = resourceVersion, Labels = new Dictionary<string, string> { ["app"] = owner } },
    };

    [Fact]
    public void AWriteAnsweredAfterALaterWatchEvent_DoesNotRollTheCacheBack()
    {
        var cache = new ObjectCache<V1Deployment>("app");
        // The watch delivered someone's change at 12 before the answer to the operator's own write at 11 came back.
        Assert.True(cache.Upsert(Deployment("12")));

        Assert.False(cache.Upsert(Deployment("11")));

        Assert.Equal("12", cache.Get("default/web-1")!.Metadata.ResourceVersion);
        Assert.Equal("12", Assert.Single(cache.OwnedBy("default/web")).Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData("12", "13")]   // later
    [InlineData("12", "12")]   // the same version again
    [InlineData("b", "a")]     // opaque versions: the newest arrival wins
    public void ALaterOrUnorderedCopy_Replaces(string first, string second)
    {
        var cache = new ObjectCache<V1Deployment>("app");
        cache.Upsert(Deployment(first, owner: "old"));

        Assert.True(cache.Upsert(Deployment(second, owner: "new")));

        Assert.Equal(second, cache.Get("default/web-1")!.Metadata.ResourceVersion);
        Assert.Empty(cache.OwnedBy("default/old"));
        Assert.Single(cache.OwnedBy("default/new"));
    }
}
