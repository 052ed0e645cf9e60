using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>A <c>model-runtime serve</c> child process on a free loopback port, so load and server are separate processes as in production.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress, Uri grpcAddress)
    {
        _process = process; BaseAddress = baseAddress; GrpcAddress = grpcAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Where the child serves OIP v2 over gRPC (HTTP/2 without TLS).</summary>
    public Uri GrpcAddress { get; }

    public static async Task<ServerProcess> StartAsync(IEnumerable<string> serveArgs, string logFile, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var grpcPort = FreePort();
        var start = Self();
        foreach (var a in new[] { "serve", "--host", "127.0.0.1", "--port", port.ToString(), "--grpc-port", grpcPort.ToString() }.Concat(serveArgs))
            start.ArgumentList.Add(a);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start model-runtime serve");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), new Uri($"http://127.0.0.1:{grpcPort}/"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"model-runtime serve exited with code {process.ExitCode}; see {logFile}");
            if (clock.Elapsed > TimeSpan.FromSeconds(120)) { await server.DisposeAsync(); throw new TimeoutException($"the server did not turn ready within 120 s; see {logFile}"); }
            try
            {
                if ((await http.GetAsync("v2/health/ready", cancellationToken)).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>How to start this same program: its apphost, or <c>dotnet model-runtime.dll</c>.</summary>
    private static ProcessStartInfo Self()
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        return start;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The child's peak resident set (<c>VmHWM</c>) in bytes, as the kernel accounts it for the process.</summary>
    public long PeakResidentBytes => ProcStatusBytes("VmHWM:");

    /// <summary>The child's resident set now (<c>VmRSS</c>) in bytes.</summary>
    public long ResidentBytes => ProcStatusBytes("VmRSS:");

    private long ProcStatusBytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException($"{field} missing from /proc/{_process.Id}/status");
    }

    /// <summary>Stops the server as a kubelet stops a container (SIGTERM) and waits for it to exit.</summary>
    /// <returns>Its exit code; its output is all in the log by then.</returns>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]) ?? throw new InvalidOperationException("could not run kill"))
            await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        _process.WaitForExit(); // the output handlers have run
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
