using System.Diagnostics;

namespace ModelOperator.TestSupport;

/// <summary>
/// podman as <c>make images</c> runs it: with the project's <c>images/containers.conf</c> (runc, no default ulimits),
/// never the machine's global configuration.
/// </summary>
public static class ContainerEngine
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static string ContainersConf => RepoPaths.Of("images", "containers.conf");

    /// <summary>Why podman cannot run here, or null when it can (asked once per test run). Tests that need it skip with
    /// this reason (ContainerEngineFact), except under CI=true, where they run and fail.</summary>
    public static string? WhyNot => s_whyNot.Value;

    private static readonly Lazy<string?> s_whyNot = new(() =>
    {
        try
        {
            var info = RunAsync(TimeSpan.FromSeconds(60), "info", "--format", "{{.Host.OCIRuntime.Name}}").GetAwaiter().GetResult();
            return info.ExitCode == 0 ? null : $"podman cannot run here (podman info exited {info.ExitCode}: {info.Output.Trim()})";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "podman is not installed (make deps installs podman, runc and mmdebstrap)";
        }
    });

    /// <summary>Under CI (CI=true) a container engine that cannot run is a failure, elsewhere a reason to skip.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(TimeSpan.FromMinutes(2), args);

    public static async Task<Result> RunAsync(TimeSpan limit, params string[] args) =>
        await RunProgramAsync("podman", args, new Dictionary<string, string>(), limit);

    public static async Task<Result> RunProgramAsync(string program, IEnumerable<string> args, IDictionary<string, string> env, TimeSpan limit)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["CONTAINERS_CONF"] = ContainersConf;
        foreach (var (name, value) in env) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s: {await stdout}{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
