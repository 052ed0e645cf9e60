using System.Diagnostics;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>A registry that is down or failing: clear errors, retries with backoff for 5xx only.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryAvailabilityTests(RegistryFixture registry)
{
    [Fact]
    public async Task Push_WhenRegistryAnswers500Twice_RetriesAndSucceeds()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        await using var proxy = await FaultInjectingProxy.StartAsync(registry.Server.Host, failFirst: 2);
        var repository = registry.NewRepository("flaky");

        var pushed = await packages.PushAsync(dir["packed"], $"{proxy.Host}/{repository}:1");

        var requests = proxy.Requests;
        Assert.Equal(2, requests.Count(r => r.EndsWith("-> 500")));
        Assert.Single(requests.Take(3).Select(r => r[..r.LastIndexOf(" -> ", StringComparison.Ordinal)]).Distinct());
        var pulled = await packages.PullAsync($"{registry.Server.Host}/{repository}:1", dir["pulled"]);
        Assert.Equal(pushed.ManifestDigest, pulled.ManifestDigest);
    }

    [Fact]
    public async Task Pull_WhenRegistryAlwaysAnswers500_FailsAfterRetriesNamingTheStatus()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await using var proxy = await FaultInjectingProxy.StartAsync(registry.Server.Host, FaultInjectingProxy.Always);

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync($"{proxy.Host}/{registry.NewRepository("down")}:1", dir["out"]));

        Assert.Contains("500", error.Message);
        Assert.Contains("injected failure", error.Message);
        Assert.Equal(1 + packages.Options.MaxRetries, proxy.Requests.Count);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task Pull_UnknownTag_FailsWith404WithoutRetrying()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await using var proxy = await FaultInjectingProxy.StartAsync(registry.Server.Host, failFirst: 0);

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync($"{proxy.Host}/{registry.NewRepository("unknown")}:nope", dir["out"]));

        Assert.Contains("404", error.Message);
        Assert.Contains("nope", error.Message);
        Assert.Single(proxy.Requests);
    }

    [Fact]
    public async Task Pull_RegistryDown_FailsAtOnceNamingTheRegistry()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var host = $"127.0.0.1:{FreePort.Closed()}";
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync($"{host}/model:1", dir["out"]));

        Assert.Contains($"cannot reach registry {host}", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a refused connection is not retried, but the pull took {clock.Elapsed}");
        Assert.False(Directory.Exists(dir["out"]));
    }
}
