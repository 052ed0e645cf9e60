using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>The real registry with htpasswd (Basic) authentication; credentials come from a docker config.json.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private RegistryServer _registry = null!;

    public async Task InitializeAsync() => _registry = await RegistryServer.StartAsync(await Htpasswd.LineAsync("alice", "s3cret-pass"));

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    private static DockerCredentials Credentials(TempDir dir, string host, string user, string password) =>
        DockerCredentials.Load(Path.Combine(DockerConfigFile.Write(dir["docker"], host, user, password), "config.json"));

    [Fact]
    public async Task Push_WithoutCredentials_FailsSayingHowToLogIn()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PushAsync(dir["packed"], $"{_registry.Host}/private:1"));

        Assert.Contains("requires authentication", error.Message);
        Assert.Contains($"docker login {_registry.Host}", error.Message);
    }

    [Fact]
    public async Task PushAndPull_WithCredentialsFromDockerConfig_Succeed()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir, Credentials(dir, _registry.Host, "alice", "s3cret-pass"));
        var original = SampleModelCatalog.Mlp();
        await packages.PackAsync(dir.WriteModel("mlp.onnx", original), dir["packed"]);

        var pushed = await packages.PushAsync(dir["packed"], $"{_registry.Host}/private:1");
        var pulled = await packages.PullAsync($"{_registry.Host}/private:1", dir["pulled"]);

        Assert.Equal(pushed.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(original, await File.ReadAllBytesAsync(dir["pulled/mlp.onnx"]));
    }

    [Fact]
    public async Task Pull_WithWrongPassword_FailsNamingTheUser()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir, Credentials(dir, $"https://{_registry.Host}", "alice", "wrong"));

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync($"{_registry.Host}/private:1", dir["out"]));

        Assert.Contains("rejected the credentials of user 'alice'", error.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }
}
