using k8s;
using ModelOperator.KubeDouble;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>
/// The operator's in-cluster config from a projected service account folder: https to KUBERNETES_SERVICE_HOST/PORT,
/// the token as a bearer token, and only the projected ca.crt trusted.
/// </summary>
public sealed class ClusterConnectionTests : IAsyncLifetime
{
    private KubeApiServer _api = null!;
    private string _folder = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync(new KubeApiServerOptions { ServeTls = true });
        _folder = Directory.CreateTempSubdirectory("service-account-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_folder, "token"), "projected-token\n");
        await File.WriteAllTextAsync(Path.Combine(_folder, "ca.crt"), _api.CertificateAuthorityPem);
        await File.WriteAllTextAsync(Path.Combine(_folder, "namespace"), "model-operator");
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private Func<string, string?> Pod(string? port = null) => name => name switch
    {
        ClusterConnection.ProjectedServiceAccountVariable => _folder,
        "KUBERNETES_SERVICE_HOST" => _api.SecureAddress!.Host,
        "KUBERNETES_SERVICE_PORT" => port ?? _api.SecureAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    [Fact]
    public async Task ProjectedServiceAccount_ReachesTheApiOverTlsWithTheToken()
    {
        var config = ClusterConnection.Configure(kubeconfig: null, Pod());
        using var client = new Kubernetes(config);

        var namespaces = await client.CoreV1.ListNamespaceAsync();

        Assert.StartsWith("https://", config.Host);
        Assert.Equal("model-operator", config.Namespace);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    [Fact]
    public async Task ProjectedServiceAccount_WithAnotherCa_RefusesTheServer()
    {
        using var other = ServingCertificate.Create(); // same subject and names, another key
        await File.WriteAllTextAsync(Path.Combine(_folder, "ca.crt"), other.ExportCertificatePem());
        using var client = new Kubernetes(ClusterConnection.Configure(kubeconfig: null, Pod()));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.CoreV1.ListNamespaceAsync());
    }

    [Theory]
    [InlineData("token", "holds no token")]
    [InlineData("ca.crt", "holds no ca.crt")]
    public void ProjectedServiceAccount_MissingAFile_SaysWhich(string file, string says)
    {
        File.Delete(Path.Combine(_folder, file));

        var error = Assert.Throws<ArgumentException>(() => ClusterConnection.Configure(kubeconfig: null, Pod()));

        Assert.Contains(says, error.Message);
    }

    [Fact]
    public void ProjectedServiceAccount_WithABadPort_SaysSo()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterConnection.Configure(kubeconfig: null, Pod(port: "https")));

        Assert.Contains("KUBERNETES_SERVICE_PORT must be a port number, got 'https'", error.Message);
    }

    [Fact]
    public void Kubeconfig_WinsOverTheServiceAccount()
    {
        var kubeconfig = _api.WriteKubeconfig(Path.Combine(_folder, "kubeconfig"));

        var config = ClusterConnection.Configure(kubeconfig, Pod());

        Assert.Equal(_api.BaseAddress.ToString().TrimEnd('/'), config.Host.TrimEnd('/'));
    }
}
