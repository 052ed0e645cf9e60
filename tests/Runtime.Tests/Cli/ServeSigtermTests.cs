using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary>
/// <c>model-runtime serve</c> as a kubelet stops it: SIGTERM, then the shutdown delay (not ready, still serving) once,
/// then the drain, then exit 0, well inside a pod's grace period.
/// </summary>
public sealed class ServeSigtermTests
{
    [Fact]
    public async Task Sigterm_WaitsTheShutdownDelayOnce_ThenExits0()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(ModelServer).Assembly.Location, "serve", "--model", ModelFiles.Mlp, "--host", "127.0.0.1", "--port", port.ToString(),
                     "--grpc-port", "0", "--device", "cpu", "--bench-iterations", "0", "--no-warm-up", "--shutdown-delay", "2" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!await ReadyAsync(http))
            {
                Assert.True(DateTime.UtcNow < deadline && !process.HasExited, "the server did not turn ready within 60 s");
                await Task.Delay(100);
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        process.WaitForExit(); // the output handlers have run
        Assert.Equal(0, process.ExitCode);
        string[] log;
        lock (lines) log = [.. lines];
        Assert.Single(log, l => l.Contains("Stopping in 2 s"));
        Assert.Single(log, l => l.Contains("Stopped serving model"));
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try { return (await http.GetAsync("v2/health/ready")).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
