using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>Credentials are read from config.json in every shape <c>docker login</c> writes.</summary>
public sealed class DockerCredentialsTests
{
    [Theory]
    [InlineData("registry.example.com:5000", "registry.example.com:5000")]
    [InlineData("https://registry.example.com:5000", "registry.example.com:5000")]
    [InlineData("https://registry.example.com/v1/", "registry.example.com")]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    public void For_FindsTheEntryWhateverItsKeyShape(string key, string registry)
    {
        using var dir = new TempDir();
        DockerConfigFile.Write(dir.Path, key, "dana", "p:ss");

        var credential = DockerCredentials.Load(dir["config.json"]).For(registry);

        Assert.Equal(new RegistryCredential("dana", "p:ss"), credential);
    }

    [Fact]
    public void Load_UsernameAndPasswordFields_AndMissingHostGivesNone()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["config.json"], """{"auths":{"r.example":{"username":"erin","password":"pw"}},"credsStore":"desktop"}""");

        var credentials = DockerCredentials.Load(dir["config.json"]);

        Assert.Equal(new RegistryCredential("erin", "pw"), credentials.For("r.example"));
        Assert.Null(credentials.For("other.example"));
    }

    [Fact]
    public void Load_BrokenConfig_NamesTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["config.json"], "{ not json");

        var error = Assert.Throws<PackageException>(() => DockerCredentials.Load(dir["config.json"]));

        Assert.Contains(dir["config.json"], error.Message);
    }

    [Fact]
    public void ParseChallenge_ReadsQuotedValuesWithCommas()
    {
        var parameters = RegistryAuthenticator.ParseParameters(
            "realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");

        Assert.Equal("https://auth.example/token", parameters["realm"]);
        Assert.Equal("registry.example", parameters["service"]);
        Assert.Equal("repository:a/b:pull,push", parameters["scope"]);
    }
}
