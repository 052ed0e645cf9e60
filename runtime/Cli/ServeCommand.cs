using System.CommandLine;
using ModelOperator.Cli;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Store;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>model-runtime serve</c>: serves one model over the Open Inference Protocol v2 until SIGTERM or Ctrl+C.</summary>
internal sealed class ServeCommand : Command
{
    /// <summary>The environment variable that sets the bind address when <c>--host</c> is not given (the dev cluster's kubelet sets it to the pod's IP).</summary>
    public const string HostVariable = "MODEL_RUNTIME_HOST";

    private static readonly ServeOptions Defaults = new() { Model = "" };

    private readonly Option<string> _model = Text("--model", "The model: a path, file://, https://, oci://registry/repo:tag, s3://bucket/key, or a package directory", "PATH|URI", required: true);
    private readonly Option<string> _name = Text("--name", "The name it is served under (default: the file or repository name)", "NAME");
    private readonly Option<string> _host = Text("--host", $"The IP address to listen on (default: env {HostVariable}, else {Defaults.Host})", "ADDR");
    private readonly Option<int> _port = Int("--port", "The HTTP port (0 picks a free one)", Defaults.Port, 0, 65535);
    private readonly Option<int> _grpcPort = Int("--grpc-port", "The OIP v2 gRPC port (0 turns gRPC off)", ServeOptions.DefaultGrpcPort, 0, 65535);
    private readonly Option<int> _managementPort = Int("--management-port",
        "The port of the operator's shadow-rollout endpoint /v2/_shadow, never exposed by the model's Service (0 turns it off)", 0, 0, 65535);
    private readonly Option<DeviceKind> _device = Device("Where the model runs");
    private readonly Option<int> _maxBatch = Int("--max-batch", "Rows per model run; 1 turns dynamic batching off", Defaults.MaxBatch, 1, 4096);
    private readonly Option<double> _batchDelay = Double("--batch-delay-ms", "How long a batch waits to fill, in milliseconds", Defaults.BatchDelay.TotalMilliseconds, 0, "MS");
    private readonly Option<int> _maxBodyMb = Int("--max-body-mb", "Largest request body in MiB; larger ones get 413", (int)(Defaults.MaxBodyBytes >> 20), 1, 2047);
    private readonly Option<long?> _maxInflightBytes = OptionalLong("--max-inflight-bytes", "Request bytes held at once; past it requests get 503 (default: 1/16 of the memory limit, within 128-512 MiB)", 1L << 20);
    private readonly Option<int> _maxBytesElements = Int("--max-bytes-elements", "Most elements in one BYTES input", Protocol.InferRequestLimits.DefaultMaxBytesElements, 1);
    private readonly Option<int> _maxConcurrentRuns = Int("--max-concurrent-runs", "Unbatched model runs at once", ServeOptions.DefaultConcurrentRuns, 1, 1024);
    private readonly Option<int?> _intraOpThreads = OptionalInt("--intra-op-threads", "ONNX Runtime threads per run (default: the cores divided among the concurrent runs)", 1, 1024);
    private readonly Option<int[]?> _benchBatch = IntList("--bench-batch", "Batch sizes benchmarked before the server turns ready (default 1,8)");
    private readonly Option<int> _benchIterations = Int("--bench-iterations", "Timed runs per batch size; 0 skips the benchmark", Defaults.BenchIterations, 0);
    private readonly Option<int> _benchWarmup = Int("--bench-warmup", "Untimed runs per batch size first", Defaults.BenchWarmup, 0);
    private readonly Option<string[]> _benchInputShape = Repeated("--bench-input-shape", "The shape an input is benchmarked at, e.g. image=1,3,224,224 (repeatable)", "NAME=D1,D2,…")
        .Checked(values => ParseInputShapes(values));
    private readonly Option<bool> _enableNoop = Flag("--enable-noop-endpoint", "Expose POST /v2/_noop, a benchmark aid that reads the body and skips inference");
    private readonly Option<bool> _plainHttp = Flag("--plain-http", "Fetch oci:// models over HTTP instead of HTTPS");
    private readonly Option<string> _sha256 = Text("--sha256", "The model's expected sha256 digest; a mismatch stops serve", "HEX");
    private readonly Option<string> _caFile = Text("--ca-file", "A PEM bundle of extra CAs trusted for the registry, download host or S3 endpoint", "PEM");
    private readonly Option<double> _shutdownDelay = Double("--shutdown-delay",
        "Seconds to keep serving after SIGTERM, reporting not ready, before it stops listening (so proxies route elsewhere first)", 0, 0, "SECONDS", max: 600);
    private readonly Option<bool> _noWarmUp = Flag("--no-warm-up", "Do not send the server warm-up requests before it turns ready");
    private readonly Option<string> _modelCacheDir = Text("--model-cache-dir",
        "A node-local cache folder shared by the pods on a node (a hostPath): an oci:// model is pulled once per digest per node and verified on every start", "DIR");
    private readonly Option<long?> _modelCacheMaxBytes = OptionalLong("--model-cache-max-bytes",
        "The node cache's size limit; past it, least recently used models no running pod uses are evicted (default: no limit)", 1);
    private readonly S3CliOptions _s3 = new();
    private readonly Option<string> _node = Text("--node", "The node reported with the benchmark (default: env NODE_NAME, else the host name)", "NAME");

    public ServeCommand() : base("serve", "Serve a model over the Open Inference Protocol v2 (REST and gRPC) until SIGTERM or Ctrl+C")
    {
        foreach (var option in (Option[])[ _model, _name, _host, _port, _grpcPort, _managementPort, _device, _maxBatch, _batchDelay, _maxBodyMb, _maxInflightBytes,
            _maxBytesElements, _maxConcurrentRuns, _intraOpThreads, _benchBatch, _benchIterations, _benchWarmup, _benchInputShape, _enableNoop,
            _plainHttp, _sha256, _caFile, _shutdownDelay, _noWarmUp, _node, _modelCacheDir, _modelCacheMaxBytes, .. _s3.All ])
            Options.Add(option);
        // Checked with the rest of the line, so a malformed digest is a usage error (exit 2) before any port is bound.
        _sha256.Validators.Add(r =>
        {
            try { HttpsModelSource.NormalizeSha256(r.Tokens.Count > 0 ? r.Tokens[^1].Value : null); }
            catch (PackageException e) { r.AddError(e.Message); }
        });
        SetAction((result, cancellationToken) => RunAsync(ToOptions(result), cancellationToken));
    }

    private static async Task<int> RunAsync(ServeOptions options, CancellationToken cancellationToken)
    {
        await using var server = await ModelServer.StartAsync(options, cancellationToken: cancellationToken);
        var shutdown = server.WaitForShutdownAsync(cancellationToken);
        if (await Task.WhenAny(shutdown, server.Loading) == server.Loading && server.Loading.IsFaulted)
        {
            Console.Error.WriteLine($"model-runtime serve: {FailureMessage.Of(server.Loading.Exception!.InnerException!)}");
            return 1;
        }
        await shutdown;
        return 0;
    }

    /// <summary>The options <c>serve</c> followed by <paramref name="words"/> asks for, as the operator's pods and scripts write them.</summary>
    /// <exception cref="CliUsageException">The line is malformed; the message is the line the program prints.</exception>
    public static ServeOptions Parse(IReadOnlyList<string> words, Func<string, string?>? environment = null)
    {
        var parse = CommandLine.Parse(["serve", .. words]);
        if (CliConventions.UsageError(parse, CommandLine.Program) is { } usage) throw new CliUsageException(usage);
        return ((ServeCommand)parse.CommandResult.Command).ToOptions(parse, environment);
    }

    /// <summary>The options a parsed <c>serve</c> command line asks for.</summary>
    /// <param name="result">A parse of <c>serve …</c> without errors.</param>
    /// <param name="environment">Reads an environment variable; the process environment when null.</param>
    public ServeOptions ToOptions(ParseResult result, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var runs = result.GetValue(_maxConcurrentRuns);
        var tuning = SessionTuning.ForServing(runs);
        if (result.GetValue(_intraOpThreads) is { } threads) tuning = tuning with { IntraOpThreads = threads };
        var grpcPort = result.GetValue(_grpcPort);
        var options = new ServeOptions
        {
            Model = result.GetRequiredValue(_model),
            Name = result.GetValue(_name),
            Host = result.GetValue(_host) ?? NonEmpty(environment(HostVariable)) ?? Defaults.Host,
            Port = result.GetValue(_port),
            GrpcPort = grpcPort > 0 ? grpcPort : null,
            ManagementPort = result.GetValue(_managementPort) is > 0 and var management ? management : null,
            Device = result.GetValue(_device),
            MaxBatch = result.GetValue(_maxBatch),
            BatchDelay = TimeSpan.FromMilliseconds(result.GetValue(_batchDelay)),
            MaxBodyBytes = result.GetValue(_maxBodyMb) * 1024L * 1024,
            BenchBatchSizes = result.GetValue(_benchBatch) ?? Defaults.BenchBatchSizes,
            BenchIterations = result.GetValue(_benchIterations),
            BenchWarmup = result.GetValue(_benchWarmup),
            BenchInputShapes = ParseInputShapes(result.GetValue(_benchInputShape) ?? []),
            EnableNoopEndpoint = result.GetValue(_enableNoop),
            PlainHttp = result.GetValue(_plainHttp),
            Sha256 = result.GetValue(_sha256),
            CaFile = result.GetValue(_caFile),
            S3 = _s3.Settings(result, result.GetRequiredValue(_model), environment),
            MaxConcurrentRuns = runs,
            MaxInflightBytes = result.GetValue(_maxInflightBytes),
            Limits = new Protocol.InferRequestLimits(result.GetValue(_maxBytesElements)),
            Tuning = tuning,
            ShutdownDelay = TimeSpan.FromSeconds(result.GetValue(_shutdownDelay)),
            WarmUp = !result.GetValue(_noWarmUp),
            ModelCacheDir = result.GetValue(_modelCacheDir),
            ModelCacheMaxBytes = result.GetValue(_modelCacheMaxBytes),
        };
        if (options.ModelCacheDir is null && options.ModelCacheMaxBytes is not null)
            throw new CliUsageException("--model-cache-max-bytes needs --model-cache-dir");
        if (options.ModelCacheDir is not null && !options.Model.StartsWith("oci://", StringComparison.OrdinalIgnoreCase))
            throw new CliUsageException($"--model-cache-dir applies only to oci:// models, not '{options.Model}'");
        if ((result.GetValue(_node) ?? NonEmpty(environment("NODE_NAME"))) is { } node) options = options with { Node = node };
        CheckNameAndHost(options);
        return options;
    }

    /// <summary>Parses repeated <c>NAME=d1,d2,…</c> values; every dimension must be a positive integer.</summary>
    internal static IReadOnlyDictionary<string, long[]> ParseInputShapes(IReadOnlyList<string> values)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=');
            if (eq <= 0 || eq == value.Length - 1)
                throw new CliUsageException($"--bench-input-shape '{value}' must be NAME=d1,d2,… (for example image=1,3,224,224)");
            var dims = value[(eq + 1)..].Split(',');
            var shape = new long[dims.Length];
            for (var i = 0; i < dims.Length; i++)
                if (!long.TryParse(dims[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
                    throw new CliUsageException($"--bench-input-shape '{value}': dimension {i} '{dims[i]}' must be a positive integer");
            if (!shapes.TryAdd(value[..eq], shape))
                throw new CliUsageException($"--bench-input-shape names input '{value[..eq]}' twice");
        }
        return shapes;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void CheckNameAndHost(ServeOptions options)
    {
        if (ModelNames.Problem(options.Name ?? ServedModel.NameFromReference(options.Model)) is { } problem)
            throw new CliFailureException(options.Name is null ? $"{problem} (taken from --model; give one with --name)" : $"--name: {problem}");
        if (!System.Net.IPAddress.TryParse(options.Host, out _))
            throw new CliFailureException($"--host must be an IP address to listen on (such as 0.0.0.0 or 127.0.0.1), got '{options.Host}'");
    }
}
