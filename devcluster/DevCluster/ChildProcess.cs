using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster;

/// <summary>
/// A process the dev-cluster program owns besides pods (the operator, Prometheus): its output goes to a log file in
/// the state directory; stopping sends SIGTERM, waits, then kills the whole process tree.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly string _name;

    private ChildProcess(string name, Process process, ILogger logger)
    {
        _name = name;
        _process = process;
        _logger = logger;
    }

    /// <summary>Ends when the process exits, with its exit code.</summary>
    public Task<int> Exited => _process.WaitForExitAsync().ContinueWith(_ => _process.ExitCode, TaskScheduler.Default);

    public int Id => _process.Id;

    public static ChildProcess Start(string name, string program, IEnumerable<string> args, string logFile, ILogger logger)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        void Write(string? line) { if (line is null) return; lock (log) log.WriteLine(line); }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => { lock (log) log.Dispose(); };
        logger.LogInformation("Started {Name} pid={Pid}, log {Log}", name, process.Id, logFile);
        return new ChildProcess(name, process, logger);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { Posix.Kill(_process.Id, 15); } catch (Exception) { }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
            _logger.LogInformation("Stopped {Name} pid={Pid} exit={Code}", _name, _process.Id, _process.ExitCode);
        }
        _process.Dispose();
    }

    private static class Posix
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
