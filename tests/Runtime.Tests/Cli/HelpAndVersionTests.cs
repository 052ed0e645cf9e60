using System.Diagnostics;
using ModelOperator.Runtime.Server;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary>Help and version as a new user asks for them: the program in its own process.</summary>
public sealed class HelpAndVersionTests
{
    [Fact]
    public async Task ServeHelp_WithoutModel_PrintsItsUsage_AndExits0()
    {
        // Guards against the bug where the runtime image's default command (serve --help) failed with "missing required option --model".
        var (code, stdout, _) = await RunAsync("serve", "--help");

        Assert.Equal(0, code);
        Assert.StartsWith("usage: model-runtime serve [options]", stdout);
        Assert.Contains("--grpc-port 8081", stdout);
    }

    [Fact]
    public async Task Version_PrintsTheVersionAndCommit_AndExits0()
    {
        var (code, stdout, _) = await RunAsync("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^model-runtime \d+\.\d+\.\d+\S* \(commit (unknown|[0-9a-f]{1,12})\)$", stdout.Trim());
    }

    [Fact]
    public async Task NoCommand_PrintsUsageToStderr_AndExits2()
    {
        var (code, _, stderr) = await RunAsync();

        Assert.Equal(2, code);
        Assert.StartsWith("usage: model-runtime <command> [options]", stderr);
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
