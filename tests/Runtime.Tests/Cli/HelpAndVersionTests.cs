using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ModelOperator.Runtime.Cli;
using ModelOperator.Runtime.Server;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary>Help, version, completion and usage errors as a new user meets them: mostly the program in its own process.</summary>
public sealed class HelpAndVersionTests
{
    [Fact]
    public async Task ServeHelp_WithoutModel_PrintsItsOptionsWithDefaults_AndExits0()
    {
        // Guards against the bug where the runtime image's default command (serve --help) failed with "missing required option --model".
        var (code, stdout, stderr) = await RunAsync("serve", "--help");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("model-runtime serve [options]", stdout);
        Assert.Matches(@"--model <PATH\|URI> \(REQUIRED\)", stdout);
        Assert.Matches(@"--grpc-port <N> .*\[default: 8081\]", stdout);
    }

    public static TheoryData<string> Commands() => [.. CommandLine.Create().Subcommands.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Commands))]
    public void HelpOfEveryCommand_ListsEachOfItsOptions_WithADescription(string command)
    {
        var (code, help) = HelpOf(command);

        Assert.Equal(0, code);
        Assert.Matches($@"Usage:\s+\S+ {Regex.Escape(command)} ", help); // in process the program is the test host
        var options = CommandLine.Create().Subcommands.Single(c => c.Name == command).Options;
        Assert.All(options, o => Assert.Matches($@"(?m)^\s+(-\w, )?{Regex.Escape(o.Name)}\b.*\S+\s{{2,}}\S", help));
    }

    [Theory]
    [InlineData("serve", "--port", "[default: 8080]")]
    [InlineData("serve", "--grpc-port", "[default: 8081]")]
    [InlineData("serve", "--max-batch", "[default: 1]")]
    [InlineData("serve", "--batch-delay-ms", "[default: 2]")]
    [InlineData("serve", "--bench-batch", "(default 1,8)")]
    [InlineData("serve", "--bench-iterations", "[default: 100]")]
    [InlineData("serve", "--host", "(default: env MODEL_RUNTIME_HOST, else 0.0.0.0)")]
    [InlineData("serve", "--device", "(default auto")]
    [InlineData("serve", "--max-body-mb", "[default: 64]")]
    [InlineData("bench", "--batch", "(default 1,8,32)")]
    [InlineData("bench", "--duration", "[default: 10]")]
    [InlineData("bench", "--concurrency", "[default: 1]")]
    [InlineData("bench-serving", "--clients", "[default: 8]")]
    [InlineData("bench-serving", "--rounds", "[default: 5]")]
    [InlineData("infer", "--url", "(default http://127.0.0.1:8080, with --grpc http://127.0.0.1:8081)")]
    [InlineData("infer", "--requests", "[default: 100]")]
    public void HelpOfACommand_ShowsEachDefault(string command, string option, string expected)
    {
        var (_, help) = HelpOf(command);

        var line = help.Split('\n').Single(l => Regex.IsMatch(l, $@"^\s+{Regex.Escape(option)} "));
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task Version_PrintsTheVersionAndCommit_AndExits0()
    {
        var (code, stdout, _) = await RunAsync("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^model-runtime \d+\.\d+\.\d+\S* \(commit (unknown|[0-9a-f]{1,12})\)$", stdout.Trim());
    }

    [Fact]
    public async Task NoCommand_ListsTheCommandsOnStderr_AndExits2()
    {
        var (code, stdout, stderr) = await RunAsync();

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("model-runtime [command] [options]", stderr);
        Assert.All(new[] { "serve", "bench", "bench-serving", "infer", "pack", "push", "pull", "inspect" }, c => Assert.Matches($@"(?m)^\s+{c}\b", stderr));
    }

    [Theory]
    [InlineData(new[] { "serve", "--model", "m.onnx", "--max-batchsize", "4" },
        "model-runtime serve: unknown option '--max-batchsize' (did you mean --max-batch?) (see model-runtime serve --help)")]
    [InlineData(new[] { "serv", "--model", "m.onnx" }, "model-runtime: unknown command 'serv' (did you mean serve?) (see model-runtime --help)")]
    [InlineData(new[] { "serve", "--port", "8080" }, "model-runtime serve: option '--model' is required (see model-runtime serve --help)")]
    [InlineData(new[] { "serve", "--model", "m.onnx", "--port", "http" },
        "model-runtime serve: --port must be an integer between 0 and 65535, got 'http' (see model-runtime serve --help)")]
    [InlineData(new[] { "pack", "m.onnx", "--name", "m", "--version", "1", "-o", "out", "--quantize", "int4" },
        "model-runtime pack: --quantize takes 'int8', got 'int4' (see model-runtime pack --help)")]
    [InlineData(new[] { "push", "dir" }, "model-runtime push: required argument missing for command: 'push' (see model-runtime push --help)")]
    [InlineData(new[] { "serve", "--model", "m.onnx", "--sha256", "zz" },
        "model-runtime serve: --sha256 'zz' is not 64 hex digits (see model-runtime serve --help)")]
    [InlineData(new[] { "pack", "m.onnx", "--name", "m", "--version", "1", "-o", "out", "--input-shape", "x=1;x=2" },
        "model-runtime pack: --input-shape x: dims must be positive integers separated by commas, got '1;x=2' (see model-runtime pack --help)")]
    public async Task UsageError_Exits2_WithOneLineSayingWhatIsWrong(string[] args, string expected)
    {
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(expected, stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task PackOfADirectory_SaysItIsADirectory_AsBenchDoes()
    {
        var directory = Directory.CreateTempSubdirectory("pack-dir-").FullName;
        try
        {
            var (code, _, stderr) = await RunAsync("pack", directory, "--name", "m", "--version", "1", "-o", Path.Combine(directory, "out"));

            Assert.Equal(1, code);
            Assert.Equal($"model-runtime pack: '{directory}' is a directory, not an ONNX model file", stderr.TrimEnd('\n'));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Theory]
    [InlineData("model-runtime serve --dev", "--device")]
    [InlineData("model-runtime serve --device c", "cpu\ncuda")]
    [InlineData("model-runtime pu", "pull\npush")]
    public async Task SuggestDirective_CompletesCommandsOptionsAndValues(string line, string expected)
    {
        // What the shell completion in docs/runtime.md runs on Tab.
        var (code, stdout, _) = await RunAsync($"[suggest:{line.Length}]", line);

        Assert.Equal(0, code);
        Assert.Equal(expected, stdout.Trim());
    }

    private static (int Code, string Help) HelpOf(string command)
    {
        var output = new StringWriter();
        var code = CommandLine.Parse([command, "--help"]).Invoke(new InvocationConfiguration { Output = output });
        return (code, output.ToString());
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ModelServer).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"model-runtime {string.Join(' ', args)} did not exit within 120 s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
