using System.Text;
using System.Text.Json;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>Which logins of a pod's imagePullSecrets apply to an image, as the kubelet's keyring finds them; pure.</summary>
public sealed class RegistryCredentialsTests
{
    private static V1Secret DockerConfigJson(string name, params (string Registry, string User, string Password)[] logins) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Type = RegistryCredentials.DockerConfigJson,
        Data = new Dictionary<string, byte[]>
        {
            [".dockerconfigjson"] = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                auths = logins.ToDictionary(l => l.Registry, l => new { auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{l.User}:{l.Password}")) }),
            })),
        },
    };

    [Theory]
    [InlineData("127.0.0.1:5001/tiny/shell:root", "127.0.0.1:5001", true)]
    [InlineData("127.0.0.1:5001/tiny/shell@sha256:abc", "https://127.0.0.1:5001/v2/", true)]
    [InlineData("127.0.0.1:5002/tiny/shell:root", "127.0.0.1:5001", false)] // another port is another registry
    [InlineData("registry.example.com/ml/model-runtime:0.1.0", "registry.example.com/ml", true)]
    [InlineData("registry.example.com/other/model-runtime:0.1.0", "registry.example.com/ml", false)]
    [InlineData("registry.example.com/ml/model-runtime:0.1.0", "*.example.com", true)]
    [InlineData("a.b.example.com/x:1", "*.example.com", false)] // a * stands for one label
    [InlineData("busybox", "https://index.docker.io/v1/", true)]
    [InlineData("team/app:1", "docker.io", true)]
    [InlineData("ghcr.io/modeloperator/model-runtime:0.1.0", "docker.io", false)]
    public void For_FindsTheLoginsWhoseKeyMatchesTheImagesRegistryAndPath(string image, string key, bool matches)
    {
        var found = RegistryCredentials.For(image, [DockerConfigJson("regcred", (key, "alice", "pw:with:colons"))]);

        if (!matches) Assert.Empty(found);
        else Assert.Equal(("alice", "pw:with:colons"), (Assert.Single(found).Username, found[0].Password));
    }

    [Fact]
    public void For_OrdersTheMostSpecificKeyFirst_AcrossSecrets_AndIgnoresOtherSecretTypes()
    {
        var opaque = new V1Secret { Metadata = new V1ObjectMeta { Name = "opaque" }, Type = "Opaque", Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = "{}"u8.ToArray() } };
        var legacy = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "legacy" }, Type = RegistryCredentials.DockerCfg,
            Data = new Dictionary<string, byte[]> { [".dockercfg"] = """{"registry.example.com":{"username":"carol","password":"c"}}"""u8.ToArray() },
        };

        var found = RegistryCredentials.For("registry.example.com/ml/runtime:1",
            [opaque, DockerConfigJson("host", ("registry.example.com", "alice", "a")), DockerConfigJson("path", ("registry.example.com/ml", "bob", "b")), legacy]);

        Assert.Equal(["bob", "alice", "carol"], found.Select(c => c.Username));
        Assert.Equal("""{"auths":{"registry.example.com/ml":{"auth":"Ym9iOmI="}}}""", found[0].AuthFile());
    }

    [Fact]
    public void For_AMalformedPullSecret_IsAnErrorNamingIt()
    {
        var broken = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "broken" }, Type = RegistryCredentials.DockerConfigJson,
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = "{not json"u8.ToArray() },
        };

        var error = Assert.Throws<FormatException>(() => RegistryCredentials.For("127.0.0.1:5001/x:1", [broken]));

        Assert.StartsWith("image pull secret \"broken\" (kubernetes.io/dockerconfigjson) is not valid JSON", error.Message);
    }
}
