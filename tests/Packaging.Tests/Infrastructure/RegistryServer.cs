using System.Diagnostics;
using System.Text;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>
/// The real CNCF distribution registry (Debian's <c>docker-registry</c>) on a free loopback port, with its own config
/// and storage directory, optionally behind htpasswd authentication. Stopped and removed on dispose.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _root;

    public string Host { get; }

    /// <summary>http, or https when started with a certificate.</summary>
    public string Scheme { get; private init; } = "http";
    public string StorageDir { get; }

    private RegistryServer(Process process, string root, string host)
    {
        _process = process;
        _root = root;
        Host = host;
        StorageDir = Path.Combine(root, "storage");
    }

    /// <summary>
    /// Starts the registry; with <paramref name="htpasswd"/> (bcrypt lines from <c>htpasswd -B</c>) it requires Basic auth,
    /// with <paramref name="tokenServer"/> it requires Bearer tokens signed by that server.
    /// </summary>
    /// <param name="tls">A server certificate and key (PEM files): the registry then speaks only HTTPS.</param>
    public static async Task<RegistryServer> StartAsync(string? htpasswd = null, TokenServer? tokenServer = null,
        (string CertificateFile, string KeyFile)? tls = null)
    {
        // The port is chosen before the registry binds it, so another process may take it first: then try a new one.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortAsync(htpasswd, tokenServer, tls);
            }
            catch (PortTakenException) when (attempt < 3)
            {
            }
        }
    }

    private sealed class PortTakenException(string message) : Exception(message);

    private static async Task<RegistryServer> StartOnFreePortAsync(string? htpasswd, TokenServer? tokenServer,
        (string CertificateFile, string KeyFile)? tls)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: install the Debian package docker-registry (make deps does)");
        var root = Directory.CreateTempSubdirectory("registry-").FullName;
        var port = FreePort.Next();
        var config = new StringBuilder($"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {root}/storage
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
              secret: packaging-tests
            """);
        config.AppendLine();
        if (tls is { } files)
        {
            config.AppendLine($"""
                  tls:
                    certificate: {files.CertificateFile}
                    key: {files.KeyFile}
                """);
        }
        if (htpasswd is not null)
        {
            File.WriteAllText(Path.Combine(root, "htpasswd"), htpasswd);
            config.AppendLine($"""
                auth:
                  htpasswd:
                    realm: packaging-tests
                    path: {root}/htpasswd
                """);
        }
        if (tokenServer is not null)
        {
            File.WriteAllText(Path.Combine(root, "token.crt"), tokenServer.CertificatePem);
            config.AppendLine($"""
                auth:
                  token:
                    realm: http://{tokenServer.Host}/token
                    service: {TokenServer.Service}
                    issuer: {TokenServer.Issuer}
                    rootcertbundle: {root}/token.crt
                """);
        }
        File.WriteAllText(Path.Combine(root, "config.yml"), config.ToString());
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Binary, ["serve", Path.Combine(root, "config.yml")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.Start();
        var server = new RegistryServer(process, root, $"127.0.0.1:{port}") { Scheme = tls is null ? "http" : "https" };
        process.OutputDataReceived += (_, e) => { lock (server._log) server._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (server._log) server._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception)
        {
            var log = server.Log();
            await server.DisposeAsync();
            if (log.Contains("address already in use", StringComparison.Ordinal)) throw new PortTakenException(log);
            throw;
        }
        return server;
    }

    /// <summary>The file in the registry's storage that holds a blob's bytes.</summary>
    public string BlobDataPath(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(StorageDir, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        // Readiness only: whether the certificate is trusted is what the tests themselves check.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode} before answering:\n{Log()}");
            try
            {
                using var response = await http.GetAsync($"{Scheme}://{Host}/v2/");
                return; // 200, or 401 behind auth: either way it answers.
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"docker-registry did not answer GET {Scheme}://{Host}/v2/ within {timeout.TotalSeconds} s:\n{Log()}");
    }

    public string Log() { lock (_log) return _log.ToString(); }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
        }
        _process.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
