using System.Text.Json;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>The <c>model-runtime</c> commands as a user types them, against the real registry.</summary>
[Collection(RegistryCollection.Name)]
public sealed class CliTests(RegistryFixture registry)
{
    [Fact]
    public async Task PackPushPullInspect_FromTheCommandLine()
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["cache"]);
        var original = SampleModelCatalog.MnistCnn();
        var onnx = dir.WriteModel("mnist.onnx", original);
        var reference = $"{registry.Server.Host}/{registry.NewRepository("cli")}:1.0";

        var pack = await cli.RunAsync("pack", onnx, "--name", "mnist", "--version", "1.0", "--license", "MIT", "--label", "task=digits", "-o", dir["packed"]);
        var push = await cli.RunAsync("push", dir["packed"], reference, "--plain-http");
        var pull = await cli.RunAsync("pull", reference, "-o", dir["pulled"], "--plain-http");
        var inspectDir = await cli.RunAsync("inspect", dir["pulled"]);
        var inspectRef = await cli.RunAsync("inspect", reference, "--plain-http", "--json");

        Assert.True(pack.ExitCode == 0, pack.Stderr);
        Assert.True(push.ExitCode == 0, push.Stderr);
        var digestReference = push.Stdout.Trim();
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(registry.Server.Host)}/cli-\\d+@sha256:[0-9a-f]{{64}}$", digestReference);
        Assert.Contains("Finished Uploading", push.Stderr); // not a terminal: progress arrives as log lines
        Assert.True(pull.ExitCode == 0, pull.Stderr);
        Assert.Equal(original, await File.ReadAllBytesAsync(dir["pulled/mnist.onnx"]));
        Assert.True(inspectDir.ExitCode == 0, inspectDir.Stderr);
        Assert.Contains("mnist", inspectDir.Stdout);
        Assert.Contains(digestReference.Split('@')[1], inspectDir.Stdout);
        Assert.Matches(@"input\s+\S+\s+FP32\s+\[-1, 1, 28, 28\]", inspectDir.Stdout);
        Assert.True(inspectRef.ExitCode == 0, inspectRef.Stderr);
        using var json = JsonDocument.Parse(inspectRef.Stdout);
        Assert.Equal("mnist", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("1.0", json.RootElement.GetProperty("version").GetString());
        Assert.Equal(digestReference.Split('@')[1], json.RootElement.GetProperty("digest").GetString());
        Assert.Equal(original.Length, json.RootElement.GetProperty("size").GetInt64());
        Assert.Equal("MIT", json.RootElement.GetProperty("license").GetString());
    }

    [Fact]
    public async Task Pull_IntoNonEmptyDirectory_NeedsForce()
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["cache"]);
        var reference = $"{registry.Server.Host}/{registry.NewRepository("cliforce")}:1";
        Assert.Equal(0, (await cli.RunAsync("pack", dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), "--name", "mlp", "--version", "1", "-o", dir["packed"])).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("push", dir["packed"], reference, "--plain-http")).ExitCode);
        Directory.CreateDirectory(dir["out"]);
        await File.WriteAllTextAsync(dir["out/notes.txt"], "mine");

        var refused = await cli.RunAsync("pull", reference, "-o", dir["out"], "--plain-http");
        var forced = await cli.RunAsync("pull", reference, "-o", dir["out"], "--plain-http", "--force");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is not empty; pass --force", refused.Stderr);
        Assert.Equal(0, forced.ExitCode);
        Assert.True(File.Exists(dir["out/mlp.onnx"]));
        Assert.False(File.Exists(dir["out/notes.txt"]));
    }

    [Theory]
    [InlineData("push", "UPPER/Case:1", "invalid repository name")]
    [InlineData("push", "127.0.0.1:5000/model:bad tag", "invalid tag 'bad tag'")]
    [InlineData("pull", "127.0.0.1:5000/model:.hidden", "invalid tag '.hidden'")]
    public async Task InvalidNameOrTag_ExitsWithTheProblem(string command, string reference, string expected)
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["cache"]);
        Directory.CreateDirectory(dir["packed"]);

        var result = command == "push"
            ? await cli.RunAsync("push", dir["packed"], reference, "--plain-http")
            : await cli.RunAsync("pull", reference, "-o", dir["out"], "--plain-http");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public async Task Push_WithCredentialsFromDockerConfigEnvironment()
    {
        using var dir = new TempDir();
        await using var secured = await RegistryServer.StartAsync(await Htpasswd.LineAsync("bob", "pa55word"));
        var anonymous = new CliRunner(dir["cache"]);
        var loggedIn = new CliRunner(dir["cache"], DockerConfigFile.Write(dir["docker"], secured.Host, "bob", "pa55word"));
        Assert.Equal(0, (await anonymous.RunAsync("pack", dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), "--name", "mlp", "--version", "1", "-o", dir["packed"])).ExitCode);

        var refused = await anonymous.RunAsync("push", dir["packed"], $"{secured.Host}/team/mlp:1", "--plain-http");
        var pushed = await loggedIn.RunAsync("push", dir["packed"], $"{secured.Host}/team/mlp:1", "--plain-http");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("requires authentication", refused.Stderr);
        Assert.True(pushed.ExitCode == 0, pushed.Stderr);
        Assert.StartsWith($"{secured.Host}/team/mlp@sha256:", pushed.Stdout.Trim());
    }
}
