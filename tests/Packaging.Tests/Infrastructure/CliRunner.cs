using System.Diagnostics;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>
/// Runs the built <c>model-runtime</c> as a user would, with its own cache and docker config (and any
/// <paramref name="environment"/> variables), and captures what it printed.
/// </summary>
internal sealed class CliRunner(string cacheHome, string? dockerConfig = null, IReadOnlyDictionary<string, string>? environment = null)
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "model-runtime.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["XDG_CACHE_HOME"] = cacheHome;
        start.Environment["DOCKER_CONFIG"] = dockerConfig ?? Path.Combine(cacheHome, "no-docker-config");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("model-runtime did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"model-runtime {string.Join(' ', args)} did not exit within 120 s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
