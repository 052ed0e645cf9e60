using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>Pack, push to the real registry and pull back: the model arrives byte for byte, by tag and by digest.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RoundTripTests(RegistryFixture registry)
{
    [Fact]
    public async Task RoundTrip_PackPushPull_GivesTheSameBytes()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var original = SampleModelCatalog.MnistCnn();
        var onnx = dir.WriteModel("mnist.onnx", original);
        var packed = await packages.PackAsync(onnx, dir["packed"]);
        var reference = $"{registry.Server.Host}/{registry.NewRepository("roundtrip")}:1.0.0";

        var pushed = await packages.PushAsync(dir["packed"], reference);
        var pulled = await packages.PullAsync(reference, dir["pulled"]);

        Assert.Equal(packed.ManifestDigest, pushed.ManifestDigest);
        Assert.Equal(packed.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(original, await File.ReadAllBytesAsync(dir["pulled/mnist.onnx"]));
        Assert.Equal(original, await File.ReadAllBytesAsync(pulled.CachedModelPath));
        foreach (var blob in Directory.GetFiles(dir["packed/blobs/sha256"]))
            Assert.Equal(await File.ReadAllBytesAsync(blob), await File.ReadAllBytesAsync(Path.Combine(dir["pulled/blobs/sha256"], Path.GetFileName(blob))));
        var summary = await PackageInspector.FromDirectoryAsync(dir["pulled"], CancellationToken.None);
        Assert.Equal(("sample", "1.0.0", packed.ManifestDigest), (summary.Name, summary.Version, summary.Digest));
    }

    [Fact]
    public async Task Push_Again_SkipsBlobsTheRegistryHas()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        var repository = $"{registry.Server.Host}/{registry.NewRepository("repush")}";

        var first = await packages.PushAsync(dir["packed"], $"{repository}:v1");
        var second = await packages.PushAsync(dir["packed"], $"{repository}:v2");

        Assert.Equal(2, first.Uploaded.Count);
        Assert.Empty(first.Skipped);
        Assert.Empty(second.Uploaded);
        Assert.Equal(2, second.Skipped.Count);
        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
    }

    [Fact]
    public async Task Pull_ByDigest_VerifiesAndSecondPullNeedsNoRegistry()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var original = SampleModelCatalog.Mlp();
        await packages.PackAsync(dir.WriteModel("mlp.onnx", original), dir["packed"]);
        var repository = registry.NewRepository("bydigest");
        var pushed = await packages.PushAsync(dir["packed"], $"{registry.Server.Host}/{repository}:latest");

        var first = await packages.PullAsync($"{registry.Server.Host}/{repository}@{pushed.ManifestDigest}", dir["first"]);
        // The same digest from a registry that is down: the cache must answer it alone.
        var second = await packages.PullAsync($"127.0.0.1:{FreePort.Closed()}/{repository}@{pushed.ManifestDigest}", dir["second"]);

        Assert.Equal(pushed.ManifestDigest, first.ManifestDigest);
        Assert.Equal(pushed.ManifestDigest, second.ManifestDigest);
        Assert.Equal(original, await File.ReadAllBytesAsync(dir["second/mlp.onnx"]));
    }

    [Fact]
    public async Task Push_InChunks_IsPulledBackIdentical()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir, options: new RegistryClientOptions(PlainHttp: true, MonolithicLimit: 1024, ChunkSize: 16 * 1024));
        var original = SampleModelCatalog.MnistCnn();
        Assert.True(original.Length > 3 * 16 * 1024, "the model must span several chunks");
        await packages.PackAsync(dir.WriteModel("mnist.onnx", original), dir["packed"]);
        var reference = $"{registry.Server.Host}/{registry.NewRepository("chunked")}:1";

        await packages.PushAsync(dir["packed"], reference);
        var pulled = await packages.PullAsync(reference, dir["pulled"]);

        Assert.Equal(original, await File.ReadAllBytesAsync(dir["pulled/mnist.onnx"]));
        Assert.Equal(original.Length, pulled.Size);
    }

    [Fact]
    public async Task Pull_ByTagTwice_SecondFetchesOnlyTheManifest()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        var repository = registry.NewRepository("tagtwice");
        await packages.PushAsync(dir["packed"], $"{registry.Server.Host}/{repository}:1");
        await using var proxy = await FaultInjectingProxy.StartAsync(registry.Server.Host, failFirst: 0);

        await packages.PullAsync($"{proxy.Host}/{repository}:1", dir["first"]);
        var afterFirst = proxy.Requests.Count;
        await packages.PullAsync($"{proxy.Host}/{repository}:1", dir["second"]);

        var second = proxy.Requests.Skip(afterFirst).ToList();
        Assert.Equal(2, proxy.Requests.Take(afterFirst).Count(r => r.Contains("/blobs/sha256:")));
        Assert.Equal([$"GET /v2/{repository}/manifests/1 -> 200"], second);
    }
}
