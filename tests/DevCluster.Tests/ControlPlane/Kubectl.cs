using System.Diagnostics;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

/// <summary>Runs the stock kubectl ($KUBECTL, else .tools/bin/kubectl from `make kubectl`) against a dev cluster.</summary>
internal static class Kubectl
{
    public static string Binary()
    {
        var path = Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } fromEnv ? fromEnv : RepoPaths.Of(".tools", "bin", "kubectl");
        return File.Exists(path) ? path : throw new FileNotFoundException($"kubectl not found at {path}: run `make kubectl` or set KUBECTL");
    }

    /// <summary>Runs kubectl to completion (at most 90 s) and returns its exit code and output.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(string kubeconfig, params string[] args)
    {
        var info = new ProcessStartInfo(Binary()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(kubeconfig);
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(kubeconfig)!, "kubectl-cache"));
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within 90s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
