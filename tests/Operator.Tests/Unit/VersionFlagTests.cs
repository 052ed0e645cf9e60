using System.Diagnostics;
using ModelOperator.Operator;
using Xunit;

namespace ModelOperator.Operator.Tests.Unit;

/// <summary><c>model-operator --version</c> as a user runs it: its own process, no cluster needed.</summary>
public sealed class VersionFlagTests
{
    [Fact]
    public async Task Version_PrintsTheVersionAndCommit_AndExits0()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(OperatorHost).Assembly.Location);
        start.ArgumentList.Add("--version");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Matches(@"^model-operator \d+\.\d+\.\d+\S* \(commit (unknown|[0-9a-f]{1,12})\)$", (await stdout).Trim());
    }
}
