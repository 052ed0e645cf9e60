using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store;
using ModelOperator.Runtime.Store.NodeCache;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>
/// <c>serve --model oci://…@sha256 --model-cache-dir</c> against a real registry: the first pod on a node pulls, the next
/// one starts from the node cache with the registry gone, and a damaged entry is pulled again.
/// </summary>
public sealed class NodeCacheSourceTests
{
    [Fact]
    public async Task SecondPodOnTheNode_StartsFromTheNodeCache_WithTheRegistryGone()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var original = SampleModelCatalog.MnistCnn();
        await packages.PackAsync(dir.WriteModel("mnist.onnx", original), dir["packed"], name: "mnist", version: "3");
        var registry = await RegistryServer.StartAsync();
        var pushed = await packages.PushAsync(dir["packed"], $"oci://{registry.Host}/models/mnist:3");
        var reference = $"oci://{registry.Host}/models/mnist@{pushed.ManifestDigest}";
        var layer = (await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None)).Layer;
        var node = new NodeModelCache(dir["node-cache"], maxBytes: null, NullLogger.Instance);
        var source = new OciModelSource(NullLoggerFactory.Instance, credentials: DockerCredentials.None);
        var options = new ModelSourceOptions(PlainHttp: true, NodeCache: node);

        var first = await source.ResolveAsync(reference, options with { CacheOwner = "pod-a" }, CancellationToken.None);
        await registry.DisposeAsync();
        var second = await source.ResolveAsync(reference, options with { CacheOwner = "pod-b" }, CancellationToken.None);
        first.Lease!.Dispose();
        second.Lease!.Dispose();

        Assert.Equal(new ModelFetch("miss", first.Fetch!.BytesPulled, pushed.ManifestDigest), first.Fetch);
        Assert.True(first.Fetch.BytesPulled >= layer.Size, $"the first pod pulled the layer ({layer.Size} bytes), reported {first.Fetch.BytesPulled}");
        Assert.Equal(new ModelFetch("hit", 0, pushed.ManifestDigest), second.Fetch);
        Assert.Equal(original, await File.ReadAllBytesAsync(second.OnnxPath));
        Assert.Equal(("mnist", "3"), (second.Name, second.Version));
    }

    [Fact]
    public async Task DamagedModelInTheNodeCache_IsPulledAgain_AndTheServedFileIsTheOriginal()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var original = SampleModelCatalog.Mlp();
        await packages.PackAsync(dir.WriteModel("mlp.onnx", original), dir["packed"], name: "mlp", version: "1");
        await using var registry = await RegistryServer.StartAsync();
        var pushed = await packages.PushAsync(dir["packed"], $"oci://{registry.Host}/models/mlp:1");
        var reference = $"oci://{registry.Host}/models/mlp@{pushed.ManifestDigest}";
        var node = new NodeModelCache(dir["node-cache"], maxBytes: null, NullLogger.Instance);
        var source = new OciModelSource(NullLoggerFactory.Instance, credentials: DockerCredentials.None);
        var options = new ModelSourceOptions(PlainHttp: true, NodeCache: node);
        var first = await source.ResolveAsync(reference, options, CancellationToken.None);
        first.Lease!.Dispose();
        var damaged = await File.ReadAllBytesAsync(first.OnnxPath);
        damaged[^1] ^= 0x01;
        await File.WriteAllBytesAsync(first.OnnxPath, damaged);

        var second = await source.ResolveAsync(reference, options, CancellationToken.None);
        second.Lease!.Dispose();

        Assert.Equal("miss", second.Fetch!.Cache);
        Assert.Contains("has digest", second.Fetch.Reason);
        Assert.True(second.Fetch.BytesPulled > 0);
        Assert.Equal(original, await File.ReadAllBytesAsync(second.OnnxPath));
    }
}
