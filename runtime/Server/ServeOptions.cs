using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Server;

/// <summary>Everything <c>serve</c> is configured with; the CLI and tests build it.</summary>
internal sealed record ServeOptions
{
    /// <summary>The model reference as given (<c>--model</c>): a path, <c>file://</c>, or a scheme a model source knows.</summary>
    public required string Model { get; init; }

    /// <summary>The name the model is served under; defaults to the file name without extension.</summary>
    public string? Name { get; init; }

    /// <summary>The address Kestrel binds; <c>0.0.0.0</c> in a pod, <c>127.0.0.1</c> in tests.</summary>
    public string Host { get; init; } = "0.0.0.0";

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The port of OIP v2 over gRPC (HTTP/2 without TLS); null turns gRPC off, 0 picks a free port.</summary>
    public int? GrpcPort { get; init; }

    /// <summary>The gRPC port <c>serve</c> uses unless told otherwise, as KServe does.</summary>
    public const int DefaultGrpcPort = 8081;

    /// <summary>
    /// The management port (<c>--management-port</c>): the shadow-rollout endpoint <c>/v2/_shadow</c>, which only the
    /// operator calls, on a port the model's Service does not expose. Null turns it off; 0 picks a free port.
    /// </summary>
    public int? ManagementPort { get; init; }

    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>Rows per model run; 1 turns dynamic batching off.</summary>
    public int MaxBatch { get; init; } = 1;

    public TimeSpan BatchDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    public long MaxBodyBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Request bytes held at once (<c>--max-inflight-bytes</c>); past it requests get 503 with Retry-After. Null: <see cref="InflightBytes.DefaultLimit"/>.</summary>
    public long? MaxInflightBytes { get; init; }

    /// <summary>
    /// How long a gRPC call may take to deliver its request message and end its stream, plus a second per MiB the
    /// message declares; past it the call is answered DEADLINE_EXCEEDED (see <see cref="Grpc.GrpcRequestMessageGate"/>).
    /// </summary>
    public TimeSpan GrpcMessageTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limits every request must stay within (the element count of a BYTES input, …).</summary>
    public Protocol.InferRequestLimits Limits { get; init; } = Protocol.InferRequestLimits.Default;

    public IReadOnlyList<int> BenchBatchSizes { get; init; } = [1, 8];
    public int BenchWarmup { get; init; } = 10;

    /// <summary>
    /// The shape each named input is benchmarked at (<c>--bench-input-shape NAME=d1,…</c>); the first dimension is
    /// replaced by each batch size. Inputs not named use 1 for their dynamic dimensions, and the report says so.
    /// When empty, the shapes the package recorded (<c>pack --input-shape</c>) are used (see <see cref="Benchmarking.BenchInputShapes"/>).
    /// </summary>
    public IReadOnlyDictionary<string, long[]> BenchInputShapes { get; init; } = new Dictionary<string, long[]>();

    /// <summary>Timed runs per batch size before the server turns ready; 0 skips the benchmark.</summary>
    public int BenchIterations { get; init; } = 100;

    /// <summary>The node the pod runs on (the downward API's <c>NODE_NAME</c>), reported with the benchmark.</summary>
    public string Node { get; init; } = Environment.GetEnvironmentVariable("NODE_NAME") ?? Environment.MachineName;

    /// <summary>Exposes <c>POST /v2/_noop</c>, a benchmark aid that reads the body and skips inference.</summary>
    public bool EnableNoopEndpoint { get; init; }

    public bool PlainHttp { get; init; }
    public string? Sha256 { get; init; }

    /// <summary>A PEM bundle of extra CAs trusted for the registry or download host (<c>--ca-file</c>).</summary>
    public string? CaFile { get; init; }

    /// <summary>
    /// The node-local model cache an oci:// model is pulled through (<c>--model-cache-dir</c>), shared by the pods on a
    /// node (see <see cref="Store.NodeCache.NodeModelCache"/>); null pulls into the process's own cache.
    /// </summary>
    public string? ModelCacheDir { get; init; }

    /// <summary>The node cache's size limit in bytes (<c>--model-cache-max-bytes</c>); null: no limit, nothing is evicted.</summary>
    public long? ModelCacheMaxBytes { get; init; }

    /// <summary>Endpoint, region and addressing for an s3:// model; null takes them from the environment.</summary>
    public Store.S3.S3Settings? S3 { get; init; }

    /// <summary>
    /// Unbatched model runs at once. Two, each with half the cores as intra-op threads: small models gain from running
    /// requests side by side, large ones still get several threads per run, and more runs of one session at once only
    /// fight over its thread pool.
    /// </summary>
    public int MaxConcurrentRuns { get; init; } = DefaultConcurrentRuns;

    public static int DefaultConcurrentRuns => Math.Min(2, Environment.ProcessorCount);

    public SessionTuning Tuning { get; init; } = SessionTuning.ForServing(DefaultConcurrentRuns);

    /// <summary>
    /// How long the server keeps accepting requests after SIGTERM (<c>--shutdown-delay</c>), reporting not ready, before
    /// it stops listening: long enough for the endpoint update to reach every proxy, so no request is routed to a
    /// closed port. Kubernetes sends SIGTERM and removes the pod from endpoints at the same time.
    /// </summary>
    public TimeSpan ShutdownDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Whether the server sends itself warm-up requests before turning ready (<see cref="HttpWarmUp"/>; <c>--no-warm-up</c> turns it off).</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>How long shutdown waits for in-flight requests to finish (after <see cref="ShutdownDelay"/>).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(25);
}
