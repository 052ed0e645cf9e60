using System.Diagnostics;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>The stock kubectl or helm from <c>make kubectl</c> (.tools/bin), run against one kubeconfig.</summary>
internal sealed class StockTool(string name, string? kubeconfig = null)
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static StockTool Kubectl(string? kubeconfig = null) => new("kubectl", kubeconfig);

    public static StockTool Helm(string? kubeconfig = null) => new("helm", kubeconfig);

    private string Binary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable(name.ToUpperInvariant()) ?? Path.Combine(RepoPaths.Root, ".tools", "bin", name);
            return File.Exists(path) ? path
                : throw new FileNotFoundException($"{name} not found at {path}: run `make kubectl` (it fetches kubectl and helm into .tools/bin) or set {name.ToUpperInvariant()}");
        }
    }

    public async Task<Result> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public async Task<Result> RunWithInputAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (kubeconfig is not null) start.Environment["KUBECONFIG"] = kubeconfig;
        // helm keeps its cache and config per user; a test must not read or write the developer's.
        var home = Path.Combine(Path.GetTempPath(), "modeloperator-tests-helm-home");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(home, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(home, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(home, "data");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', args)} did not finish within 120 s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
