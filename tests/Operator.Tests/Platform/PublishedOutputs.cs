using System.Collections.Concurrent;
using System.Diagnostics;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>
/// Runs each distinct <c>dotnet publish</c> a Dockerfile runs once, into a temporary folder, with its own
/// intermediate folder (--artifacts-path) so that the repository's obj/ folders and a concurrent build are untouched.
/// </summary>
public sealed class PublishedOutputs : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dockerfile-publish-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _outputs = new();

    /// <summary>The folder the publish wrote (the Dockerfile's <c>-o</c> folder replaced by a temporary one).</summary>
    internal Task<string> PublishAsync(IReadOnlyList<string> arguments, string dockerOutput) =>
        _outputs.GetOrAdd(string.Join(' ', arguments), key => new Lazy<Task<string>>(() => RunAsync(arguments, dockerOutput, key))).Value;

    private async Task<string> RunAsync(IReadOnlyList<string> arguments, string dockerOutput, string key)
    {
        var folder = Path.Combine(_root, $"publish-{_outputs.Count}");
        var output = Path.Combine(folder, "out");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("publish");
        foreach (var arg in arguments) start.ArgumentList.Add(arg == dockerOutput ? output : arg);
        foreach (var arg in (string[])["--artifacts-path", Path.Combine(folder, "artifacts"), "-nologo", "-clp:ErrorsOnly"]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try { await process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish {key} did not finish within 10 minutes");
        }
        Assert.True(process.ExitCode == 0, $"dotnet publish {key} exited {process.ExitCode}: {await stdout}{await stderr}");
        return output;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
