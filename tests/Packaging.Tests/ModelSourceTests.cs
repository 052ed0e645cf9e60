using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary><c>serve --model oci://…</c> and <c>https://…</c>: the sources pull into the cache and hand the runtime a verified ONNX file.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ModelSourceTests(RegistryFixture registry)
{
    [Fact]
    public async Task OciSource_PullsThePackageIntoTheCache()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var original = SampleModelCatalog.MnistCnn();
        await packages.PackAsync(dir.WriteModel("mnist.onnx", original), dir["packed"], name: "mnist", version: "3");
        var reference = $"oci://{registry.Server.Host}/{registry.NewRepository("serve")}:3";
        var pushed = await packages.PushAsync(dir["packed"], reference);
        var source = new OciModelSource(NullLoggerFactory.Instance, packages.Cache, DockerCredentials.None);

        var resolved = await source.ResolveAsync(reference, new ModelSourceOptions(PlainHttp: true), CancellationToken.None);

        Assert.Equal(original, await File.ReadAllBytesAsync(resolved.OnnxPath));
        Assert.StartsWith(packages.Cache.Root, resolved.OnnxPath);
        Assert.Equal((pushed.ManifestDigest, "mnist", "3"), (resolved.Digest, resolved.Name, resolved.Version));
        Assert.True(source.CanResolve(reference));
        Assert.Contains(ModelSources.Default(), s => s is OciModelSource && s.CanResolve(reference));
    }

    [Fact]
    public async Task OciSource_TamperedRegistryIsRefused()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        // Blob storage is shared by all repositories of a registry, so damaging it needs a registry of its own.
        await using var server = await RegistryServer.StartAsync();
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        var reference = $"oci://{server.Host}/{registry.NewRepository("servetamper")}:1";
        await packages.PushAsync(dir["packed"], reference);
        var layer = (await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None)).Layer;
        var stored = server.BlobDataPath(layer.Digest);
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(stored, bytes);
        var source = new OciModelSource(NullLoggerFactory.Instance, packages.Cache, DockerCredentials.None);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            source.ResolveAsync(reference, new ModelSourceOptions(PlainHttp: true), CancellationToken.None));

        Assert.Contains(layer.Digest, error.Message);
    }

    [Fact]
    public async Task HttpsSource_DownloadsCheckingSha256AndServesTheSecondFromTheCache()
    {
        using var dir = new TempDir();
        var model = SampleModelCatalog.Mlp();
        var downloads = 0;
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref downloads);
            context.Response.ContentLength = model.Length;
            await context.Response.Body.WriteAsync(model);
        });
        var cache = new ModelCache(dir["cache"]);
        var source = new HttpsModelSource(NullLoggerFactory.Instance, cache);
        var url = $"http://{server.Host}/models/mlp.onnx";
        var sha256 = Digest.Hex(Digest.Of(model));

        var first = await source.ResolveAsync(url, new ModelSourceOptions(PlainHttp: true, Sha256: sha256), CancellationToken.None);
        var second = await source.ResolveAsync(url, new ModelSourceOptions(PlainHttp: true, Sha256: sha256), CancellationToken.None);

        Assert.Equal(model, await File.ReadAllBytesAsync(first.OnnxPath));
        Assert.Equal(first.OnnxPath, second.OnnxPath);
        Assert.Equal(1, downloads);
        Assert.Equal("sha256:" + sha256, first.Digest);
    }

    [Fact]
    public async Task HttpsSource_WrongSha256_IsRefusedAndNothingIsCached()
    {
        using var dir = new TempDir();
        var model = SampleModelCatalog.Mlp();
        await using var server = await LoopbackServer.StartAsync(context => context.Response.Body.WriteAsync(model).AsTask());
        var cache = new ModelCache(dir["cache"]);
        var source = new HttpsModelSource(NullLoggerFactory.Instance, cache);
        var wrong = new string('a', 64);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            source.ResolveAsync($"http://{server.Host}/mlp.onnx", new ModelSourceOptions(PlainHttp: true, Sha256: wrong), CancellationToken.None));
        var plain = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync($"http://{server.Host}/mlp.onnx", new ModelSourceOptions(), CancellationToken.None));

        Assert.Contains("sha256:" + wrong, error.Message);
        Assert.Contains(Digest.Of(model), error.Message);
        Assert.Empty(Directory.EnumerateFiles(cache.Root, "*", SearchOption.AllDirectories));
        Assert.Contains("--plain-http", plain.Message);
    }
}
