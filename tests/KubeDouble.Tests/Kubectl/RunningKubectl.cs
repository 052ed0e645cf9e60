using System.Diagnostics;

namespace ModelOperator.KubeDouble.Tests.Kubectl;

/// <summary>A kubectl process still running (get -w, wait); its stdout lines are collected as they arrive.</summary>
internal sealed class RunningKubectl : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reading;

    public RunningKubectl(Process process)
    {
        _process = process;
        _reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
                lock (_lines) _lines.Add(line);
        });
        _ = process.StandardError.ReadToEndAsync();
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public Task WaitForLineAsync(Func<string, bool> match, string what) =>
        Eventually.TrueAsync(() => Lines.Any(match), $"kubectl to print {what} (printed so far: {string.Join(" | ", Lines)})", TimeSpan.FromSeconds(30));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await _reading;
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
