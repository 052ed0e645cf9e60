using System.Diagnostics;
using System.Text.RegularExpressions;
using ModelOperator.Operator;
using ModelOperator.Operator.Cli;

namespace ModelOperator.Operator.Tests.Unit;

/// <summary>
/// <c>model-operator</c>'s command line as a user meets it: help, version, usage errors (exit 2) and start-up failures
/// (exit 1), each one line and never a stack trace. Most run the program in its own process; none needs a cluster.
/// </summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Version_PrintsTheVersionAndCommit_AndExits0()
    {
        var (code, stdout, _) = await RunAsync("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^model-operator \d+\.\d+\.\d+\S* \(commit (unknown|[0-9a-f]{1,12})\)$", stdout.Trim());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    public async Task Help_ListsEveryFlagWithItsDefault_AndExits0(params string[] args)
    {
        // Guards against the bug where model-operator --help was an unknown flag.
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Matches(@"--workers <N> .*\[default: 8\]", stdout);
        Assert.Matches(@"--http-address <URL> .*\[default: http://0\.0\.0\.0:8081\]", stdout);
        Assert.Matches(@"--lease-namespace <NS> .*\(default: env POD_NAMESPACE, else default\)", stdout);
        Assert.Matches(@"--runtime-image <IMAGE> .*else ghcr\.io/modeloperator/model-runtime:", stdout);
        Assert.All(new[] { "--kubeconfig", "--identity", "--no-leader-election", "--watch-namespaces" }, flag => Assert.Contains(flag, stdout));
    }

    [Theory]
    [InlineData(new[] { "--worker", "4" }, "model-operator: unknown option '--worker' (did you mean --workers?) (see model-operator --help)")]
    [InlineData(new[] { "run", "--workers", "0" }, "model-operator run: --workers must be an integer between 1 and 1024, got '0' (see model-operator run --help)")]
    [InlineData(new[] { "--http-address", "0.0.0.0:8081" },
        "model-operator: --http-address must be an http:// URL with a host and port, such as http://0.0.0.0:8081, got '0.0.0.0:8081' (see model-operator --help)")]
    [InlineData(new[] { "start" }, "model-operator: unknown command 'start' (see model-operator --help)")]
    [InlineData(new[] { "--management-peer", "model-operator" },
        "model-operator: --management-peer must be NAMESPACE/KEY=VALUE[,KEY=VALUE…], such as model-operator/app.kubernetes.io/name=model-operator, got 'model-operator' (see model-operator --help)")]
    [InlineData(new[] { "--management-peer", "model-operator/app" }, "model-operator: --management-peer: 'app' is not KEY=VALUE (see model-operator --help)")]
    public async Task UsageError_Exits2_WithOneLineSayingWhatIsWrong(string[] args, string expected)
    {
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(expected, stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task MissingKubeconfigFile_Exits1_WithOneLineSayingWhatToPass()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var (code, _, stderr) = await RunAsync("--kubeconfig", missing, "--http-address", "http://127.0.0.1:0");

        AssertOneLineFailure(code, stderr, $"model-operator: --kubeconfig '{missing}' does not exist; pass the path of a kubeconfig file");
    }

    [Fact]
    public async Task MalformedKubeconfigFile_Exits1_WithOneLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "clusters: [ {");
        try
        {
            var (code, _, stderr) = await RunAsync("run", "--kubeconfig", path, "--http-address", "http://127.0.0.1:0");

            AssertOneLineFailure(code, stderr, $"model-operator run: --kubeconfig '{path}' cannot be used: ");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task UnreachableApiServer_Exits1_WithOneLineSayingWhatToCheck()
    {
        var port = FreePort.Closed();
        var path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, $$"""
            apiVersion: v1
            kind: Config
            clusters: [{ name: down, cluster: { server: "http://127.0.0.1:{{port}}" } }]
            users: [{ name: me, user: { token: t } }]
            contexts: [{ name: down, context: { cluster: down, user: me } }]
            current-context: down
            """);
        try
        {
            var (code, _, stderr) = await RunAsync("--kubeconfig", path, "--no-leader-election", "--http-address", "http://127.0.0.1:0");

            AssertOneLineFailure(code, stderr, $"model-operator: cannot reach the Kubernetes API server at http://127.0.0.1:{port}");
            Assert.EndsWith("check --kubeconfig and that the cluster is running", stderr.Trim());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task TakenHttpAddress_Exits1_WithOneLine()
    {
        await using var api = await ModelOperator.KubeDouble.KubeApiServer.StartAsync();
        var kubeconfig = api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}.yaml"));
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        try
        {
            var (code, _, stderr) = await RunAsync("--kubeconfig", kubeconfig, "--no-leader-election", "--http-address", $"http://127.0.0.1:{port}");

            AssertOneLineFailure(code, stderr, "model-operator: ");
            Assert.Contains("address already in use", stderr);
        }
        finally { File.Delete(kubeconfig); }
    }

    [Fact]
    public async Task NoKubeconfigAnywhere_Exits1_SayingTheWaysToGiveOne()
    {
        var home = Directory.CreateTempSubdirectory("operator-home-").FullName;
        try
        {
            var (code, _, stderr) = await RunAsync(new Dictionary<string, string?> { ["HOME"] = home, ["KUBECONFIG"] = null, ["KUBERNETES_SERVICE_HOST"] = null,
                [ClusterConnection.ProjectedServiceAccountVariable] = null },
                "--http-address", "http://127.0.0.1:0");

            AssertOneLineFailure(code, stderr, "model-operator: no cluster to connect to: pass --kubeconfig PATH, set KUBECONFIG, write ");
        }
        finally { Directory.Delete(home, recursive: true); }
    }

    [Theory]
    [InlineData("/k", true, true, "/env", true, "Flag")]
    [InlineData(null, true, true, "/env", true, "ProjectedServiceAccount")]
    [InlineData(null, false, true, "/env", true, "InCluster")]
    [InlineData(null, false, false, "/env", true, "EnvironmentVariable")]
    [InlineData(null, false, false, " ", true, "DefaultFile")]
    [InlineData(null, false, false, null, true, "DefaultFile")]
    [InlineData(null, false, false, null, false, "None")]
    public void Kubeconfig_ComesFromTheFlag_ThenThePod_ThenKUBECONFIG_ThenTheDefaultFile(string? flag, bool projected, bool inCluster, string? variable,
        bool defaultFile, string expected) =>
        Assert.Equal(expected, KubeconfigChoice.Choose(flag, projected, inCluster, variable, defaultFile).ToString());

    [Fact]
    public void RunOptions_TakeFlagsFirst_ThenTheEnvironment_ThenDefaults()
    {
        var environment = new Dictionary<string, string> { ["POD_NAME"] = "op-7", ["POD_NAMESPACE"] = "ops", ["MODELOPERATOR_RUNTIME_IMAGE"] = "reg/rt:1" };

        var fromEnvironment = OperatorCommandLine.RunOptions([], environment.GetValueOrDefault);
        var fromFlags = OperatorCommandLine.RunOptions(["run", "--identity=a", "--lease-namespace", "b", "--runtime-image", "c", "--workers", "3",
            "--watch-namespaces", "x,y,x", "--no-leader-election"], environment.GetValueOrDefault);
        var defaults = OperatorCommandLine.RunOptions([], _ => null);

        Assert.Equal(("op-7", "ops", "reg/rt:1"), (fromEnvironment.Identity, fromEnvironment.LeaseNamespace, fromEnvironment.RuntimeImage));
        Assert.Equal(("a", "b", "c", 3, false), (fromFlags.Identity, fromFlags.LeaseNamespace, fromFlags.RuntimeImage, fromFlags.Workers, fromFlags.LeaderElection));
        Assert.Equal(["x", "y"], fromFlags.WatchNamespaces);
        Assert.Equal(("default", 8, true, "http://0.0.0.0:8081"), (defaults.LeaseNamespace, defaults.Workers, defaults.LeaderElection, defaults.HttpAddress));
        Assert.Empty(defaults.WatchNamespaces);
    }

    [Theory]
    [InlineData("--watch-namespaces ,", "--watch-namespaces needs at least one namespace")]
    [InlineData("--watch-namespaces team-a,Team_B", "--watch-namespaces: 'Team_B' is not a namespace name")]
    [InlineData("--workers many", "--workers must be an integer between 1 and 1024, got 'many'")]
    [InlineData("--kubeconfig", "required argument missing for option: '--kubeconfig'")]
    [InlineData("run --no-leader-election=maybe", "unexpected argument 'maybe'")]
    public void BadFlagValue_IsAUsageError_NamingTheFlag(string line, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorCommandLine.RunOptions(line.Split(' '), _ => null));

        Assert.Contains(expected, error.Message);
    }

    private static void AssertOneLineFailure(int code, string stderr, string expectedStart)
    {
        Assert.True(code == 1, $"exit code {code}; stderr: {stderr}");
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedStart, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(OperatorHost).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"model-operator {string.Join(' ', args)} did not exit within 60 s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
