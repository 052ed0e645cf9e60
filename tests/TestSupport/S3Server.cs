using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ModelOperator.TestSupport;

/// <summary>
/// A real S3-compatible server for tests: the npm package <c>s3rver</c> (installed by <c>make s3rver</c> into
/// .tools/s3rver) on a free loopback port with its own data folder. It speaks the S3 REST API, knows one access key
/// (<see cref="AccessKeyId"/>) and refuses any other with InvalidAccessKeyId, but does not verify v4 signatures.
/// Addressed path-style. Stopped and its data removed on dispose.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    /// <summary>The one access key id s3rver knows.</summary>
    public const string AccessKeyId = "S3RVER";

    /// <summary>Its secret (not checked for v4 signatures).</summary>
    public const string SecretAccessKey = "S3RVER";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _root;

    /// <summary>http://127.0.0.1:port</summary>
    public string Endpoint { get; }

    private S3Server(Process process, string root, string endpoint)
    {
        _process = process;
        _root = root;
        Endpoint = endpoint;
    }

    /// <summary>The s3rver program; <c>make s3rver</c> installs it.</summary>
    public static string Program => RepoPaths.Of(".tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");

    /// <summary>Starts s3rver with <paramref name="buckets"/> created.</summary>
    public static Task<S3Server> StartAsync(params string[] buckets) => StartAsync(buckets, tls: null);

    /// <summary>Starts s3rver with <paramref name="buckets"/> created; with <paramref name="tls"/> (PEM files) it speaks only HTTPS.</summary>
    public static async Task<S3Server> StartAsync(string[] buckets, (string CertificateFile, string KeyFile)? tls)
    {
        if (!File.Exists(Program)) throw new InvalidOperationException($"{Program} is missing: run 'make s3rver' (make test does)");
        for (var attempt = 1; ; attempt++)
        {
            var root = Directory.CreateTempSubdirectory("s3rver-").FullName;
            var port = FreePort.Next();
            var process = new Process
            {
                StartInfo = new ProcessStartInfo("node", [Program, "-d", root, "-a", "127.0.0.1", "-p", port.ToString(), "--no-vhost-buckets",
                    .. tls is { } files ? new[] { "--cert", files.CertificateFile, "--key", files.KeyFile } : [],
                    .. buckets.SelectMany(b => new[] { "--configure-bucket", b })])
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                },
            };
            process.Start();
            var server = new S3Server(process, root, $"{(tls is null ? "http" : "https")}://127.0.0.1:{port}");
            process.OutputDataReceived += (_, e) => { lock (server._log) server._log.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (server._log) server._log.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await server.WaitListeningAsync(port, TimeSpan.FromSeconds(30))) return server;
            var log = server.Log;
            await server.DisposeAsync();
            // The port is picked before s3rver binds it: another process may have taken it in between.
            if (attempt < 3 && log.Contains("EADDRINUSE", StringComparison.Ordinal)) continue;
            throw new InvalidOperationException($"s3rver did not start listening on 127.0.0.1:{port} within 30s; its log:\n{log}");
        }
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>A client of this server, as the known access key unless another is given.</summary>
    public AmazonS3Client Client(string accessKeyId = AccessKeyId) => new(new BasicAWSCredentials(accessKeyId, SecretAccessKey), new AmazonS3Config
    {
        ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
        // s3rver predates the SDK's default request checksums (aws-chunked trailers): send plain bodies.
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        // The tests' uploads are set-up, not what is tested: over TLS they trust the test server's certificate as is.
        HttpClientFactory = Endpoint.StartsWith("https:", StringComparison.Ordinal) ? new TrustingUploads() : null,
    });

    private sealed class TrustingUploads : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
            new(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator });
    }

    public async Task CreateBucketAsync(string bucket)
    {
        using var client = Client();
        await client.PutBucketAsync(bucket);
    }

    public async Task PutAsync(string bucket, string key, byte[] content)
    {
        using var client = Client();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false });
    }

    /// <summary>Uploads every file under <paramref name="directory"/> below <paramref name="prefix"/>, as <c>aws s3 cp --recursive</c> does.</summary>
    public async Task PutDirectoryAsync(string bucket, string prefix, string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            await PutAsync(bucket, prefix.TrimEnd('/') + "/" + Path.GetRelativePath(directory, file).Replace('\\', '/'), await File.ReadAllBytesAsync(file));
    }

    private async Task<bool> WaitListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
