using System.Diagnostics;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// One container instance as a local process, started through <c>setsid</c> so that it leads its own process group
/// (its children and grandchildren are signalled with it, as a container's pid namespace dies with it). Its stdout
/// and stderr both go to one log file.
/// </summary>
internal sealed class LocalProcess : IContainerInstance
{
    private readonly Task _pumps;

    private LocalProcess(int processGroup, Task pumps, Task<int> exited)
    {
        Pid = processGroup; // setsid runs the program in the started process, which leads the new group
        ProcessGroup = processGroup;
        _pumps = pumps;
        Exited = exited;
    }

    /// <summary>
    /// The main process's id, kept from its start: the Process object is disposed once it exited, which a process that
    /// exits at once (a crashing container) can do before the kubelet has logged its pid.
    /// </summary>
    public int Pid { get; }

    /// <summary>The process group every process of this container is in.</summary>
    public int ProcessGroup { get; }

    /// <summary>Completes with the exit code (128 + signal when a signal ended it) once the process has exited and its group is gone.</summary>
    public Task<int> Exited { get; }

    /// <summary>Starts the plan's program; throws <see cref="ContainerConfigException"/> when the program cannot be found.</summary>
    public static LocalProcess Start(LaunchPlan plan, string logFile)
    {
        var program = Resolve(plan.Program, plan.Environment.GetValueOrDefault("PATH"))
            ?? throw new ContainerConfigException($"exec: \"{plan.Program}\": executable file not found in $PATH");
        Directory.CreateDirectory(plan.WorkingDirectory);
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = plan.WorkingDirectory,
        };
        start.ArgumentList.Add(program);
        foreach (var argument in plan.Arguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (name, value) in plan.Environment) start.Environment[name] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var log = new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var process = Process.Start(start) ?? throw new ContainerConfigException($"could not start {program}");
        process.StandardInput.Close();
        var group = process.Id;
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput.BaseStream, log), PumpAsync(process.StandardError.BaseStream, log))
            .ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        return new LocalProcess(group, pumps, WaitAsync(process, group, pumps));
    }

    /// <summary>
    /// SIGTERM to the main process (as a container runtime signals only PID 1), up to <paramref name="grace"/> to exit,
    /// then SIGKILL to the whole group; completes when nothing of it runs.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Exited.IsCompleted) return;
        ProcessSignals.SignalProcess(Pid, ProcessSignals.SigTerm);
        if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
            Signal(ProcessSignals.SigKill);
        await Exited;
    }

    // Before setsid has run the group does not exist yet: signal the process itself.
    private void Signal(int signal)
    {
        if (!ProcessSignals.SignalGroup(ProcessGroup, signal)) ProcessSignals.SignalProcess(Pid, signal);
    }

    /// <summary>Whether a live (not zombie) process of this group remains.</summary>
    public static bool GroupHasLiveProcesses(int processGroup)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            // Fields after the parenthesised command: state ppid pgrp …
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 2 && fields[0] != "Z" && fields[0] != "X" && fields[2] == processGroup.ToString()) return true;
        }
        return false;
    }

    private static async Task<int> WaitAsync(Process process, int group, Task pumps)
    {
        await process.WaitForExitAsync();
        var code = process.ExitCode;
        // The container ends with its main process: whatever it left running goes too.
        ProcessSignals.SignalGroup(group, ProcessSignals.SigKill);
        for (var i = 0; i < 100 && GroupHasLiveProcesses(group); i++) await Task.Delay(20);
        // The pipes end once every writer is gone; on a busy machine draining what the process printed last (its
        // SIGTERM message) can take seconds. Bounded only for a daemon that left the group still holding the pipes.
        await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(30)));
        process.Dispose();
        return code;
    }

    private static async Task PumpAsync(Stream from, FileStream to)
    {
        var buffer = new byte[8192];
        int read;
        try
        {
            while ((read = await from.ReadAsync(buffer)) > 0)
                lock (to)
                {
                    to.Write(buffer, 0, read);
                    to.Flush();
                }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    internal static string? Resolve(string program, string? path)
    {
        if (program.Contains('/')) return File.Exists(program) ? Path.GetFullPath(program) : null;
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, program))) return Path.Combine(dir, program);
        return null;
    }
}
