using System.Diagnostics;
using System.Text;

namespace ModelOperator.KubeDouble.Tests.Kubectl;

/// <summary>A double plus a kubeconfig and private kubectl cache; runs the real kubectl binary against it.</summary>
internal sealed class KubectlSession : IAsyncDisposable
{
    private readonly string _dir;

    private KubectlSession(TestCluster cluster, string dir)
    {
        Cluster = cluster;
        _dir = dir;
        Kubeconfig = cluster.Server.WriteKubeconfig(System.IO.Path.Combine(dir, "kubeconfig"));
    }

    public TestCluster Cluster { get; }
    public string Kubeconfig { get; }

    public static async Task<KubectlSession> StartAsync()
    {
        KubectlBinary.Path();
        var dir = Directory.CreateTempSubdirectory("kubectl-suite-").FullName;
        return new KubectlSession(await TestCluster.StartAsync(), dir);
    }

    public string WriteFile(string name, string content)
    {
        var path = System.IO.Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Runs kubectl to completion (bounded) and returns its exit code and output.</summary>
    public async Task<KubectlResult> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within 60s");
        }
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (get -w, wait) whose output lines are collected as they come.</summary>
    public RunningKubectl Start(params string[] args) => new(Process.Start(StartInfo(args))!);

    private ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo(KubectlBinary.Path())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(System.IO.Path.Combine(_dir, "cache"));
        info.Environment["KUBECONFIG"] = Kubeconfig;
        info.Environment["HOME"] = _dir;
        return info;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

internal sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public KubectlResult Succeeded()
    {
        Assert.True(ExitCode == 0, $"kubectl failed with exit code {ExitCode}: {Stderr}{Stdout}");
        return this;
    }

    /// <summary>The table kubectl printed, as rows of whitespace-separated cells (header first).</summary>
    public IReadOnlyList<string[]> Table() =>
        [.. Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
