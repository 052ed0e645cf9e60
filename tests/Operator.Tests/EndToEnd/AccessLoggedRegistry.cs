using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Debian's <c>docker-registry</c> (the CNCF distribution registry) on a free loopback port with its access log on,
/// so a test reads what the registry itself saw: every request, with status and bytes sent. Models are packed and
/// pushed into it with the built <c>model-runtime</c>, as a user would.
/// </summary>
internal sealed partial class AccessLoggedRegistry : IAsyncDisposable
{
    private const string Binary = "/usr/bin/docker-registry";
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _root;

    private AccessLoggedRegistry(Process process, string root, string host) { _process = process; _root = root; Host = host; }

    public string Host { get; }

    public static async Task<AccessLoggedRegistry> StartAsync()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: install the Debian package docker-registry (make deps does)");
        var root = Directory.CreateTempSubdirectory("e2e-registry-").FullName;
        var port = FreePort.Next();
        File.WriteAllText(Path.Combine(root, "config.yml"), $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {root}/storage
            http:
              addr: 127.0.0.1:{port}
              secret: e2e
            """);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Binary, ["serve", Path.Combine(root, "config.yml")])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            },
        };
        process.Start();
        var registry = new AccessLoggedRegistry(process, root, $"127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => { lock (registry._log) registry._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (registry._log) registry._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            try { return (await http.GetAsync($"http://{registry.Host}/v2/")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, $"docker-registry to answer on {registry.Host}", TimeSpan.FromSeconds(60));
        return registry;
    }

    /// <summary>Requests in the access log from line <paramref name="fromLine"/> on: method, path, status and bytes sent.</summary>
    public IReadOnlyList<(string Method, string Path, int Status, long Bytes)> Requests(int fromLine = 0) =>
        LogLines().Skip(fromLine).Select(l => AccessLine().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value, int.Parse(m.Groups[3].Value), long.Parse(m.Groups[4].Value))).ToList();

    /// <summary>Lines logged so far (a mark to read <see cref="Requests"/> from).</summary>
    public int LineCount => LogLines().Count;

    private List<string> LogLines()
    {
        lock (_log) return _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    [GeneratedRegex("\"(GET|HEAD|POST|PUT|PATCH|DELETE) (/v2/[^ ]*) HTTP/[0-9.]+\" (\\d{3}) (\\d+)")]
    private static partial Regex AccessLine();

    /// <summary>Packs <paramref name="onnxPath"/> and pushes it as <c>models/NAME:VERSION</c>; returns the digest-pinned oci:// reference.</summary>
    public async Task<string> PushAsync(string onnxPath, string name, string version)
    {
        var package = Path.Combine(_root, "packages", $"{name}-{version}");
        await RunRuntimeAsync(["pack", onnxPath, "--name", name, "--version", version, "--license", "MIT", "-o", package]);
        var pushed = await RunRuntimeAsync(["push", package, $"{Host}/models/{name}:{version}", "--plain-http"]);
        var pinned = pushed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(l => l.Contains("@sha256:"));
        return "oci://" + pinned;
    }

    private static async Task<string> RunRuntimeAsync(string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(DefaultImages.BuiltRuntime(), args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"model-runtime {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
