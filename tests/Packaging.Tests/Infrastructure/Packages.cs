using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>The packaging pieces as the CLI wires them, with a per-test cache and credentials instead of the user's.</summary>
internal sealed class Packages(TempDir dir, DockerCredentials? credentials = null, RegistryClientOptions? options = null) : IDisposable
{
    private readonly HttpClient _http = RegistryConnection.CreateHttpClient();

    public ModelCache Cache { get; } = new(dir["cache"]);

    /// <summary>Fast retries so that 5xx tests do not wait for production backoff.</summary>
    public RegistryClientOptions Options { get; } = options ?? new RegistryClientOptions(PlainHttp: true, RetryBaseDelay: TimeSpan.FromMilliseconds(20));

    public OciRegistryClient Client(string reference) =>
        OciRegistryClient.Create(_http, ImageReference.Parse(reference), Options, credentials ?? DockerCredentials.None, NullLogger.Instance);

    public Task<PackResult> PackAsync(string onnxPath, string outputDir, string name = "sample", string version = "1.0.0",
        bool optimize = false, bool force = false) =>
        ModelPacker.PackAsync(new PackRequest(onnxPath, name, version, outputDir, "a test model", "Apache-2.0",
            new Dictionary<string, string> { ["team"] = "packaging" }, optimize, force), CancellationToken.None);

    public Task<PushResult> PushAsync(string layoutDir, string reference) =>
        new ModelPusher(Client(reference), NoProgress.Instance, NullLogger.Instance).PushAsync(layoutDir, CancellationToken.None);

    public Task<PulledPackage> PullAsync(string reference, string? outputDir, bool force = false) =>
        new ModelPuller(Client(reference), Cache, NoProgress.Instance, NullLogger.Instance).PullAsync(outputDir, force, CancellationToken.None);

    public void Dispose() => _http.Dispose();
}
