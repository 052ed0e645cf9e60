using System.Diagnostics;
using ModelOperator.KubeDouble.PodExec;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>Runs one <see cref="ExecCommand"/> plan to its end, its stdin, stdout and stderr joined to the exec stream's channels.</summary>
internal sealed class ContainerExecution(LaunchPlan plan) : IPodExecution
{
    public async Task<int> RunAsync(Stream? stdin, Stream stdout, Stream stderr, CancellationToken ct)
    {
        var program = LocalProcess.Resolve(plan.Program, plan.Environment.GetValueOrDefault("PATH"))
            ?? throw new PodExecException($"exec: \"{plan.Program}\": executable file not found in $PATH");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Directory.Exists(plan.WorkingDirectory) ? plan.WorkingDirectory : "/",
        };
        foreach (var argument in plan.Arguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (name, value) in plan.Environment) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new PodExecException($"exec: could not start \"{plan.Program}\"");
        var input = Task.Run(async () =>
        {
            try
            {
                if (stdin is not null) await stdin.CopyToAsync(process.StandardInput.BaseStream, ct);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
            finally
            {
                try { process.StandardInput.Close(); } catch (IOException) { }
            }
        }, CancellationToken.None);
        var output = Pump(process.StandardOutput.BaseStream, stdout, ct);
        var error = Pump(process.StandardError.BaseStream, stderr, ct);
        try { await process.WaitForExitAsync(ct); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        // What the command printed last is still in the pipes; a daemon it left behind may hold them open, hence the bound.
        await Task.WhenAny(Task.WhenAll(output, error), Task.Delay(TimeSpan.FromSeconds(10), ct));
        await Task.WhenAny(input, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
        return process.ExitCode;
    }

    private static async Task Pump(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await from.ReadAsync(buffer, ct)) > 0) await to.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException) { }
    }
}
