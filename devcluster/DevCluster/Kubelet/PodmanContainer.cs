using System.Diagnostics;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// One container started detached (<c>podman run --detach</c>, see <see cref="PodmanLaunch"/>), as CRI-O or
/// containerd run one: once it runs, nothing of podman stays but its conmon (about 2.7 MB), which writes what the
/// container prints to the instance's log file in the CRI format and records its exit code. The foreground
/// <c>podman run</c> this replaces kept a podman client of about 40 MB per container attached for the container's
/// whole life.
/// </summary>
/// <remarks>
/// Its end is seen by polling <c>/proc/&lt;conmon pid&gt;</c> every 250 ms (conmon exits once it has recorded the
/// exit), then one <c>podman container inspect</c> for the exit code. A <c>stat</c> of a /proc folder costs
/// microseconds, so 20 containers cost well under a millisecond of CPU a second, and the exit is seen within a quarter
/// of a second; the alternative, one shared <c>podman events --filter event=died</c> stream, is a podman client of its
/// own kept for the kubelet's life (the memory this removes), with a stream to parse and restart.
/// </remarks>
internal sealed class PodmanContainer : IContainerInstance
{
    private static readonly TimeSpan ExitPoll = TimeSpan.FromMilliseconds(250);
    private readonly PodmanRuntime _runtime;
    private readonly string _name;

    private PodmanContainer(PodmanRuntime runtime, string name, int conmon, Task<int> exited)
    {
        _runtime = runtime;
        _name = name;
        Pid = conmon;
        Exited = exited;
    }

    /// <summary>The container's conmon; 0 when podman could not start it.</summary>
    public int Pid { get; }

    public Task<int> Exited { get; }

    /// <summary>
    /// Runs the plan's <c>podman run --detach</c>. Where podman cannot start the container (an entrypoint not found:
    /// exit 127), the instance has exited with podman's code at once, and podman's error is in the log, as it was when
    /// the client's output was the log.
    /// </summary>
    public static async Task<PodmanContainer> StartAsync(LaunchPlan plan, string name, string conmonPidFile, string logFile, PodmanRuntime runtime)
    {
        File.Delete(conmonPidFile);
        Directory.CreateDirectory(plan.WorkingDirectory);
        var (code, error) = await RunClientAsync(plan);
        var conmon = code == 0 ? ReadPid(conmonPidFile) : null;
        if (conmon is null)
        {
            var message = code == 0 ? $"podman started {name} but wrote no conmon pid to {conmonPidFile}" : error.Trim();
            await File.AppendAllTextAsync(logFile, string.Concat(message.Split('\n').Select(line => CriLogLine.Format(DateTime.UtcNow, "stderr", line))));
            return new PodmanContainer(runtime, name, 0, Task.FromResult(code == 0 ? 1 : code));
        }
        return new PodmanContainer(runtime, name, conmon.Value, WaitAsync(runtime, name, conmon.Value, StartTime(conmon.Value)));
    }

    public async Task StopAsync(TimeSpan grace)
    {
        if (Exited.IsCompleted) return;
        var deadline = Task.Delay(grace); // the grace period runs from the stop, the signal's podman call included
        await _runtime.KillAsync(_name, "TERM");
        if (await Task.WhenAny(Exited, deadline) != Exited) await _runtime.KillAsync(_name, "KILL");
        await Exited;
    }

    private static async Task<int> WaitAsync(PodmanRuntime runtime, string name, int conmon, string? startTime)
    {
        while (startTime is not null && StartTime(conmon) == startTime) await Task.Delay(ExitPoll);
        // A container podman no longer knows (removed behind the kubelet's back): reported as the kubelet reports a
        // container whose status is lost, 137.
        return await runtime.ExitCodeAsync(name) ?? 137;
    }

    /// <summary>
    /// The process's start time (field 22 of /proc/&lt;pid&gt;/stat), which tells it from a later process given the
    /// same pid; null once it is gone or a zombie.
    /// </summary>
    private static string? StartTime(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && fields[0] is not ("Z" or "X") ? fields[19] : null;
    }

    private static int? ReadPid(string file)
    {
        try { return int.TryParse(File.ReadAllText(file).Trim(), out var pid) && pid > 1 ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The <c>podman run --detach</c> client, which exits once the container runs (or could not start).</summary>
    private static async Task<(int Code, string Error)> RunClientAsync(LaunchPlan plan)
    {
        var start = new ProcessStartInfo(plan.Program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = plan.WorkingDirectory,
        };
        foreach (var argument in plan.Arguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (variable, value) in plan.Environment) start.Environment[variable] = value;
        using var process = Process.Start(start) ?? throw new ContainerConfigException($"could not start {plan.Program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (124, $"podman run did not start the container within {TimeSpan.FromMinutes(5).TotalMinutes} minutes");
        }
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
