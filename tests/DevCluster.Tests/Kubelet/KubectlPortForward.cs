using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>A running <c>kubectl port-forward</c>, its local port read from what it prints; stopped on dispose.</summary>
internal sealed class KubectlPortForward : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;
    private KubectlPortForward(Process process, int port, Task<string> errors) { _process = process; LocalPort = port; _errors = errors; }

    public int LocalPort { get; }

    public static async Task<KubectlPortForward> StartAsync(string kubeconfig, string target, string ports)
    {
        var start = new ProcessStartInfo(ControlPlane.Kubectl.Binary()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--kubeconfig", kubeconfig, "port-forward", "--address", "127.0.0.1", target, ports]) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            if (Regex.Match(line, @"Forwarding from 127\.0\.0\.1:(\d+) ->") is { Success: true } m)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return new KubectlPortForward(process, int.Parse(m.Groups[1].Value), errors);
            }
        }
        await process.WaitForExitAsync();
        throw new InvalidOperationException($"kubectl port-forward {target} {ports} exited {process.ExitCode} without forwarding: {seen}{await errors}");
    }

    /// <summary>Waits (bounded) for kubectl to exit by itself; returns its exit code and what it printed on stderr.</summary>
    public async Task<(int Code, string Errors)> ExitedAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, await _errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
