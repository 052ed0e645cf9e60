using System.Diagnostics;
using System.Net.Sockets;

namespace ModelOperator.OperatorBench;

/// <summary>The operator binary in its own process, so its memory is measured alone.</summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OperatorProcess(Process process, Uri http)
    {
        _process = process;
        Http = http;
    }

    public Uri Http { get; }

    public static OperatorProcess Start(string dll, string kubeconfig, string logPath)
    {
        var port = FreePort.Next();
        // The shell hands the operator's output straight to the log file and then becomes the operator (exec, same
        // pid), so piping its log lines through this process takes nothing from the cores the benchmark measures.
        var info = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "exec \"$0\" \"$@\" >\"$OPERATOR_BENCH_LOG\" 2>&1", "dotnet", dll, "--kubeconfig", kubeconfig, "--identity", "bench", "--http-address", $"http://127.0.0.1:{port}" },
            Environment = { ["OPERATOR_BENCH_LOG"] = logPath },
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the operator");
        return new OperatorProcess(process, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Peak resident set size (VmHWM) in MiB.</summary>
    public double PeakRssMb()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        throw new InvalidOperationException("VmHWM missing from /proc status");
    }

    /// <summary>CPU time the operator used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the operator exited with {_process.ExitCode}; see its log");
            try
            {
                var body = await http.GetStringAsync(new Uri(Http, "readyz"));
                if (body == "leading") return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the operator did not lead with synced caches within {timeout.TotalSeconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await term.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(); }
        }
        _process.Dispose();
    }
}
