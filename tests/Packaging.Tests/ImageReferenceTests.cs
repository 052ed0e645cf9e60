using ModelOperator.Runtime.Packaging;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>References are checked against the distribution spec grammar before any request goes out.</summary>
public sealed class ImageReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("127.0.0.1:5000/models/mnist:1.0", "127.0.0.1:5000", "models/mnist", "1.0", null)]
    [InlineData("oci://registry.example.com/team/model:v2", "registry.example.com", "team/model", "v2", null)]
    [InlineData("localhost/model", "localhost", "model", "latest", null)]
    [InlineData("ghcr.io/org/model@" + Digest, "ghcr.io", "org/model", null, Digest)]
    [InlineData("ghcr.io/org/model:1@" + Digest, "ghcr.io", "org/model", "1", Digest)]
    [InlineData("ubuntu", "docker.io", "library/ubuntu", "latest", null)]
    public void Parse_ValidReference(string text, string registry, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(text);

        Assert.Equal((registry, repository, tag, digest), (reference.Registry, reference.Repository, reference.Tag, reference.Digest));
    }

    [Theory]
    [InlineData("127.0.0.1:5000/Models/MNIST:1", "invalid repository name 'Models/MNIST'")]
    [InlineData("127.0.0.1:5000/models/mnist:-bad", "invalid tag '-bad'")]
    [InlineData("127.0.0.1:5000/models/mnist:has/slash", "invalid repository name")]
    [InlineData("127.0.0.1:5000/models/mnist:" + "t1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890", "invalid tag")]
    [InlineData("127.0.0.1:5000/models/mnist@sha256:abc", "invalid digest 'sha256:abc'")]
    [InlineData("127.0.0.1:5000/models//mnist:1", "invalid repository name")]
    [InlineData("127.0.0.1:5000/models/mnist_:1", "invalid repository name")]
    public void Parse_InvalidReference_NamesTheProblem(string text, string expected)
    {
        var error = Assert.Throws<PackageException>(() => ImageReference.Parse(text));

        Assert.Contains(expected, error.Message);
    }
}
