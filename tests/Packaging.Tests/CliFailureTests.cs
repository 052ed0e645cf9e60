using System.Net;
using System.Net.Sockets;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using ModelOperator.TestSupport;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>
/// The failing command lines of issue 11, run as a user types them: each ends with exit code 1 and one line on stderr
/// saying what is wrong, never an unhandled exception (exit 134) or a stack trace.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class CliFailureTests(RegistryFixture registry)
{
    private static void AssertOneLineFailure(CliRunner.Result result, string command, string expected)
    {
        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}; stderr: {result.Stderr}");
        // Progress and log lines may come first (a pull); the failure itself is the one line that ends it.
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.StartsWith("model-runtime ", StringComparison.Ordinal));
        Assert.StartsWith($"model-runtime {command}: ", lines[^1]);
        Assert.Contains(expected, lines[^1]);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Serve_OnABusyPort_FailsInOneLine()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var result = await new CliRunner(dir["cache"]).RunAsync("serve", "--model", onnx, "--host", "127.0.0.1", "--port", port.ToString(), "--bench-iterations", "0");

        AssertOneLineFailure(result, "serve", "address already in use");
    }

    [Theory]
    [InlineData("--host", "not-an-ip", "--host must be an IP address")]
    [InlineData("--host", "999.1.1.1", "--host must be an IP address")]
    [InlineData("--name", "a/b", "cannot be one URL path segment")]
    [InlineData("--name", "../../x", "cannot be one URL path segment")]
    public async Task Serve_WithAnInvalidHostOrName_FailsInOneLine(string option, string value, string expected)
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());

        var result = await new CliRunner(dir["cache"]).RunAsync("serve", "--model", onnx, "--port", "0", option, value);

        AssertOneLineFailure(result, "serve", expected);
    }

    [Fact]
    public async Task Serve_WithAWrongSha256ForARegistryModel_FailsInOneLine()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var reference = $"{registry.Server.Host}/{registry.NewRepository("servesha")}:1";
        await packages.PackAsync(dir.WriteModel("model.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        await packages.PushAsync(dir["packed"], reference);

        var result = await new CliRunner(dir["cache"]).RunAsync("serve", "--model", "oci://" + reference, "--plain-http",
            "--sha256", new string('0', 64), "--host", "127.0.0.1", "--port", "0", "--bench-iterations", "0");

        AssertOneLineFailure(result, "serve", "does not match the model");
    }

    [Theory]
    [InlineData("not a url", "--url must be an http:// or https:// URL")]
    [InlineData("ftp://127.0.0.1/", "--url must be an http:// or https:// URL")]
    public async Task Infer_WithAnInvalidUrl_FailsInOneLine(string url, string expected)
    {
        using var dir = new TempDir();

        var result = await new CliRunner(dir["cache"]).RunAsync("infer", "--url", url, "--name", "mlp");

        AssertOneLineFailure(result, "infer", expected);
    }

    [Fact]
    public async Task Infer_AgainstAStoppedServer_FailsInOneLine()
    {
        using var dir = new TempDir();

        var result = await new CliRunner(dir["cache"]).RunAsync("infer", "--url", $"http://127.0.0.1:{FreePort.Closed()}", "--name", "mlp");

        AssertOneLineFailure(result, "infer", "is the server running?");
    }

    [Fact]
    public async Task Bench_OnACorruptModel_FailsInOneLine()
    {
        using var dir = new TempDir();
        var corrupt = dir.WriteModel("corrupt.onnx", "this is not an onnx model"u8.ToArray());

        var result = await new CliRunner(dir["cache"]).RunAsync("bench", "--model", corrupt, "--device", "cpu", "--duration", "0.1");

        Assert.True(result.ExitCode == 1, result.Stderr);
        Assert.Contains("model-runtime bench: ", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Bench_WithAnUnwritableJsonPath_FailsBeforeTheRun()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());

        var result = await new CliRunner(dir["cache"]).RunAsync("bench", "--model", onnx, "--device", "cpu", "--duration", "5",
            "--json=" + dir["no-such-dir/result.json"]);

        AssertOneLineFailure(result, "bench", "--json");
        Assert.DoesNotContain("Loaded", result.Stderr);
    }

    [Fact]
    public async Task Inspect_OfAnEmptyArgument_FailsInOneLine()
    {
        using var dir = new TempDir();

        var result = await new CliRunner(dir["cache"]).RunAsync("inspect", "");

        AssertOneLineFailure(result, "inspect", "empty");
    }

    [Fact]
    public async Task Pull_OfALayerTitledWithNul_FailsInOneLine()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        var title = "model\0.onnx";
        var reference = $"{registry.Server.Host}/{registry.NewRepository("nultitle")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, CraftedPackage.ModelConfigFor(onnx, title),
            new CraftedPackage.Layer(MediaTypes.WeightRaw, onnx, title));

        var result = await new CliRunner(dir["cache"]).RunAsync("pull", reference, "-o", dir["out"], "--plain-http", "--quiet");

        AssertOneLineFailure(result, "pull", "control character or NUL");
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Theory]
    [InlineData("pull")]
    [InlineData("push")]
    [InlineData("inspect")]
    public async Task Transfer_WithAnUnreachableRegistry_FailsInOneLine_SayingWhatToCheck(string command)
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await packages.PackAsync(dir.WriteModel("model.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        var reference = $"127.0.0.1:{FreePort.Closed()}/team/mlp:1";
        string[] args = command switch
        {
            "pull" => ["pull", reference, "-o", dir["out"], "--plain-http"],
            "push" => ["push", dir["packed"], reference, "--plain-http"],
            _ => ["inspect", reference, "--plain-http"],
        };

        var result = await new CliRunner(dir["cache"]).RunAsync(args);

        AssertOneLineFailure(result, command, "cannot reach registry 127.0.0.1:");
        Assert.EndsWith("check the address and that the registry is running", result.Stderr.TrimEnd());
    }
}
