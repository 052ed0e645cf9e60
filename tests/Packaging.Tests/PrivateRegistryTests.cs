using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>
/// A private registry as a platform team runs one: TLS from its own CA and htpasswd users. The runtime trusts the CA
/// only through <c>--ca-file</c> / <c>MODEL_RUNTIME_CA_FILE</c> and logs in from the docker config DOCKER_CONFIG names,
/// which is how the operator's pods receive <c>spec.model.caBundle</c> and <c>spec.model.pullSecret</c>.
/// </summary>
public sealed class PrivateRegistryTests : IAsyncLifetime
{
    private TempDir _dir = null!;
    private TestCertificateAuthority _ca = null!;
    private RegistryServer _registry = null!;

    public async Task InitializeAsync()
    {
        _dir = new TempDir();
        _ca = await TestCertificateAuthority.CreateAsync(_dir["pki"]);
        _registry = await RegistryServer.StartAsync(await Htpasswd.LineAsync("alice", "s3cret-pass"),
            tls: (_ca.ServerCertificateFile, _ca.ServerKeyFile));
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    private CliRunner Cli(string name) =>
        new(_dir[$"{name}/cache"], DockerConfigFile.Write(_dir[$"{name}/docker"], _registry.Host, "alice", "s3cret-pass"));

    private async Task<string> PushMlpAsync(CliRunner cli, byte[] model)
    {
        var onnx = _dir.WriteModel("mlp.onnx", model);
        var pack = await cli.RunAsync("pack", onnx, "--name", "mlp", "--version", "1", "-o", _dir["packed"]);
        Assert.True(pack.ExitCode == 0, pack.Stderr);
        var push = await cli.RunAsync("push", _dir["packed"], $"{_registry.Host}/private/mlp:1", "--ca-file", _ca.CaCertificateFile);
        Assert.True(push.ExitCode == 0, push.Stderr);
        return push.Stdout.Trim();
    }

    [Fact]
    public async Task Pull_OverTlsFromAPrivateCa_WithCredentials_Succeeds()
    {
        var cli = Cli("user");
        var model = SampleModelCatalog.Mlp();
        var pushed = await PushMlpAsync(cli, model);

        var pull = await Cli("pod").RunAsync("pull", $"{_registry.Host}/private/mlp:1", "-o", _dir["pulled"], "--ca-file", _ca.CaCertificateFile);

        Assert.True(pull.ExitCode == 0, pull.Stderr);
        Assert.Equal(model, await File.ReadAllBytesAsync(_dir["pulled/mlp.onnx"]));
        Assert.Contains(pushed.Split('@')[1], pull.Stdout + pull.Stderr);
    }

    [Fact]
    public async Task Pull_WithoutTheCa_FailsAndSaysTheCertificateIsNotTrusted()
    {
        await PushMlpAsync(Cli("user"), SampleModelCatalog.Mlp());

        var pull = await Cli("pod").RunAsync("pull", $"{_registry.Host}/private/mlp:1", "-o", _dir["untrusted"]);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains(_registry.Host, pull.Stderr);
        Assert.False(Directory.Exists(_dir["untrusted"]));
    }

    [Fact]
    public async Task Pull_WithTheCa_ButWithoutCredentials_FailsSayingHowToLogIn()
    {
        await PushMlpAsync(Cli("user"), SampleModelCatalog.Mlp());

        var pull = await new CliRunner(_dir["anonymous/cache"]).RunAsync("pull", $"{_registry.Host}/private/mlp:1", "-o", _dir["anonymous/out"],
            "--ca-file", _ca.CaCertificateFile);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("requires authentication", pull.Stderr);
    }

    [Fact]
    public async Task CaBundle_ThatIsNotPem_IsRefusedNamingTheFile()
    {
        var bogus = _dir["bogus.pem"];
        await File.WriteAllTextAsync(bogus, "not a certificate");

        var pull = await Cli("pod").RunAsync("pull", $"{_registry.Host}/private/mlp:1", "-o", _dir["out"], "--ca-file", bogus);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains(bogus, pull.Stderr);
    }
}
