using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>The real registry with token auth: the client follows the Bearer challenge to the token service.</summary>
public sealed class BearerAuthTests : IAsyncLifetime
{
    private TokenServer _tokens = null!;
    private RegistryServer _registry = null!;

    public async Task InitializeAsync()
    {
        _tokens = await TokenServer.StartAsync("carol", "t0ken-pass");
        _registry = await RegistryServer.StartAsync(tokenServer: _tokens);
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _tokens.DisposeAsync();
    }

    [Fact]
    public async Task PushAndPull_WithBearerTokenFromTheTokenService()
    {
        using var dir = new TempDir();
        var credentials = DockerCredentials.Load(Path.Combine(DockerConfigFile.Write(dir["docker"], _registry.Host, "carol", "t0ken-pass"), "config.json"));
        using var packages = new Packages(dir, credentials);
        var original = SampleModelCatalog.Mlp();
        await packages.PackAsync(dir.WriteModel("mlp.onnx", original), dir["packed"]);

        var pushed = await packages.PushAsync(dir["packed"], $"{_registry.Host}/secure/mlp:1");
        var pulled = await packages.PullAsync($"{_registry.Host}/secure/mlp:1", dir["pulled"]);

        Assert.Equal(pushed.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(original, await File.ReadAllBytesAsync(dir["pulled/mlp.onnx"]));
        Assert.True(_tokens.Issued >= 2, $"expected tokens for push and pull, the token service issued {_tokens.Issued}");
    }

    [Fact]
    public async Task Pull_AnonymousTokenWithoutAccess_FailsSayingHowToLogIn()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync($"{_registry.Host}/secure/mlp:1", dir["out"]));

        Assert.Contains("refused anonymous access", error.Message);
        Assert.Contains($"docker login {_registry.Host}", error.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }
}
