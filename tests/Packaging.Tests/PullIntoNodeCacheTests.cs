using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>
/// <c>model-runtime pull oci://… --model-cache-dir DIR</c>, what the operator's prefetch pods run: it fills the node
/// cache as <c>serve --model-cache-dir</c> reads it, and a second run finds the verified entry and downloads nothing.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class PullIntoNodeCacheTests(RegistryFixture registry)
{
    [Fact]
    public async Task PullIntoTheNodeCache_PullsOnce_ThenFindsTheVerifiedEntry()
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["cache"]);
        Assert.Equal(0, (await cli.RunAsync("pack", dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), "--name", "mlp", "--version", "1", "-o", dir["packed"])).ExitCode);
        var push = await cli.RunAsync("push", dir["packed"], $"{registry.Server.Host}/{registry.NewRepository("prefetch")}:1", "--plain-http");
        Assert.True(push.ExitCode == 0, push.Stderr);
        var reference = "oci://" + push.Stdout.Trim();
        var digest = reference.Split('@')[1];

        var first = await cli.RunAsync("pull", reference, "--model-cache-dir", dir["node"], "--plain-http", "--quiet");
        var second = await cli.RunAsync("pull", reference, "--model-cache-dir", dir["node"], "--plain-http", "--quiet");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Matches($"^Pulled {digest} \\(mlp 1\\) in the node cache .*: cache=miss bytesPulled=[1-9]\\d*$", first.Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(dir["node"], "entries", digest["sha256:".Length..], "complete.json")), "no verified entry marker in the node cache");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Matches($"^Found {digest} \\(mlp 1\\) in the node cache .*: cache=hit bytesPulled=0$", second.Stdout.Trim());
    }

    [Theory]
    [InlineData(new[] { "pull", "oci://127.0.0.1:5000/m:1" }, "pull needs --output DIR (or --model-cache-dir DIR for a node cache)")]
    [InlineData(new[] { "pull", "oci://127.0.0.1:5000/m:1", "-o", "out", "--model-cache-dir", "node" }, "give either --output or --model-cache-dir, not both")]
    [InlineData(new[] { "pull", "s3://bucket/models/m", "--model-cache-dir", "node" }, "--model-cache-dir applies only to oci:// models, not 's3://bucket/models/m'")]
    [InlineData(new[] { "pull", "oci://127.0.0.1:5000/m:1", "-o", "out", "--model-cache-max-bytes", "100" }, "--model-cache-max-bytes needs --model-cache-dir")]
    public async Task ContradictoryOrIncompleteArguments_AreRefusedWithTheProblem(string[] args, string expected)
    {
        using var dir = new TempDir();

        var result = await new CliRunner(dir["cache"]).RunAsync(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }
}
