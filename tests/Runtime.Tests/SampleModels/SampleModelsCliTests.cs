using System.Diagnostics;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class SampleModelsCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task WritesEveryModel_IntoTheGivenDirectory_AndSaysWhatItWrote()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sample-models-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, stdout, stderr) = await RunCliAsync(directory);

            Assert.True(exitCode == 0, $"sample-models exited with {exitCode}: {stderr}");
            foreach (var model in SampleModelCatalog.All)
            {
                var path = Path.Combine(directory, model.FileName);
                Assert.Contains(path, stdout);
                Assert.Equal(model.Build(), await File.ReadAllBytesAsync(path));
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task WithoutADirectory_PrintsUsageAndTheCatalog_AndFails()
    {
        var (exitCode, _, stderr) = await RunCliAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("Usage: sample-models <output-directory>", stderr);
        Assert.All(SampleModelCatalog.All, m => Assert.Contains(m.Name, stderr));
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        // The dotnet CLI tells test hosts which dotnet it is; plain "dotnet" from PATH is the fallback.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(SampleModelCatalog).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sample-models {string.Join(' ', args)} did not exit within {Timeout.TotalSeconds} s.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
