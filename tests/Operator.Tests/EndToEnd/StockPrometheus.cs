using System.Diagnostics;
using System.Net;
using ModelOperator.DevCluster.Prometheus;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Debian's <c>prometheus</c> scraping the dev cluster's pods from its target list, with the config
/// <see cref="PrometheusConfig.Render"/> writes (5 s scrapes), on a free loopback port and a temporary TSDB.
/// </summary>
internal sealed class StockPrometheus : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    private readonly Process _process;
    private readonly string _directory;

    private StockPrometheus(Process process, string directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<StockPrometheus> StartAsync(string stateDirectory)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing; install the Debian package prometheus (make deps)");
        var directory = Directory.CreateTempSubdirectory("e2e-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        // The dev cluster keeps this file (DevCluster/Prometheus/PrometheusTargets) equal to its ready pods.
        await File.WriteAllTextAsync(config, PrometheusConfig.Render(Path.Combine(stateDirectory, "prometheus", "targets.json")));
        var port = FreePort.Next(IPAddress.Loopback);
        var start = new ProcessStartInfo(Binary, [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Binary} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var prometheus = new StockPrometheus(process, directory, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(process.HasExited, $"prometheus exited with {(process.HasExited ? process.ExitCode : 0)}");
            try { return (await http.GetAsync(new Uri(prometheus.Url, "-/ready"))).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, "prometheus to be ready", TimeSpan.FromSeconds(60));
        return prometheus;
    }

    /// <summary>Stops Prometheus (as an outage mid-run would).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
