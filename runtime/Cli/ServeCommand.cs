using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Server;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>model-runtime serve</c>: serves one model over the Open Inference Protocol v2 until SIGTERM or Ctrl+C.</summary>
internal sealed class ServeCommand : ICliCommand
{
    public string Name => "serve";

    public string Summary => "serve a model over the Open Inference Protocol v2 (--model <path|uri> [--name N] [--host ADDR] [--port 8080] [--grpc-port 8081, 0 = off] [--device auto|cuda|cpu] [--max-batch N --batch-delay-ms D] [--sha256 HEX] [--plain-http] [--ca-file PEM] [--shutdown-delay SECONDS: keep serving, not ready, after SIGTERM] [--no-warm-up])";

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var options = Parse(args);
        await using var server = await ModelServer.StartAsync(options, cancellationToken: cancellationToken);
        var shutdown = server.WaitForShutdownAsync(cancellationToken);
        if (await Task.WhenAny(shutdown, server.Loading) == server.Loading && server.Loading.IsFaulted)
        {
            Console.Error.WriteLine($"model-runtime serve: {server.Loading.Exception!.InnerException!.Message}");
            return 1;
        }
        await shutdown;
        return 0;
    }

    /// <summary>The environment variable that sets the bind address when <c>--host</c> is not given (the dev cluster's kubelet sets it to the pod's IP).</summary>
    public const string HostVariable = "MODEL_RUNTIME_HOST";

    /// <param name="args">The words after <c>serve</c>.</param>
    /// <param name="environment">Reads an environment variable; the process environment when null.</param>
    public static ServeOptions Parse(CliArgs args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var defaults = new ServeOptions { Model = "" };
        var runs = args.Int("max-concurrent-runs", defaults.MaxConcurrentRuns, 1, 1024);
        var tuning = SessionTuning.ForServing(runs);
        tuning = tuning with { IntraOpThreads = args.Int("intra-op-threads", tuning.IntraOpThreads, 1, 1024) };
        var options = new ServeOptions
        {
            Model = args.Required("model"),
            Name = args.Option("name"),
            Host = args.Option("host") ?? NonEmpty(environment(HostVariable)) ?? defaults.Host,
            Port = args.Int("port", defaults.Port, 0, 65535),
            GrpcPort = args.Int("grpc-port", ServeOptions.DefaultGrpcPort, 0, 65535) is var grpc and > 0 ? grpc : null,
            Device = ParseDevice(args.Option("device")),
            MaxBatch = args.Int("max-batch", defaults.MaxBatch, 1, 4096),
            BatchDelay = TimeSpan.FromMilliseconds(args.Double("batch-delay-ms", defaults.BatchDelay.TotalMilliseconds, 0)),
            MaxBodyBytes = args.Int("max-body-mb", (int)(defaults.MaxBodyBytes >> 20), 1, 2047) * 1024L * 1024,
            BenchBatchSizes = args.IntList("bench-batch", defaults.BenchBatchSizes),
            BenchIterations = args.Int("bench-iterations", defaults.BenchIterations, 0),
            BenchWarmup = args.Int("bench-warmup", defaults.BenchWarmup, 0),
            BenchInputShapes = ParseInputShapes(args.Options("bench-input-shape")),
            EnableNoopEndpoint = args.Flag("enable-noop-endpoint"),
            PlainHttp = args.Flag("plain-http"),
            Sha256 = args.Option("sha256"),
            CaFile = args.Option("ca-file"),
            MaxConcurrentRuns = runs,
            MaxInflightBytes = args.Option("max-inflight-bytes") is null ? null : args.Long("max-inflight-bytes", 0, 1L << 20),
            Limits = new Protocol.InferRequestLimits(args.Int("max-bytes-elements", Protocol.InferRequestLimits.DefaultMaxBytesElements, 1)),
            Tuning = tuning,
            ShutdownDelay = ShutdownDelaySeconds(args),
            WarmUp = !args.Flag("no-warm-up"),
        };
        if (args.Option("node") is { } node) options = options with { Node = node };
        args.RejectUnknown();
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

    private static TimeSpan ShutdownDelaySeconds(CliArgs args)
    {
        var seconds = args.Double("shutdown-delay", 0, 0);
        if (seconds > 600) throw new CliUsageException($"--shutdown-delay must be at most 600 seconds, got {seconds}");
        return TimeSpan.FromSeconds(seconds);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void CheckNameAndHost(ServeOptions options)
    {
        if (ModelNames.Problem(options.Name ?? ServedModel.NameFromReference(options.Model)) is { } problem)
            throw new CliFailureException(options.Name is null ? $"{problem} (taken from --model; give one with --name)" : $"--name: {problem}");
        if (!System.Net.IPAddress.TryParse(options.Host, out _))
            throw new CliFailureException($"--host must be an IP address to listen on (such as 0.0.0.0 or 127.0.0.1), got '{options.Host}'");
    }

    internal static DeviceKind ParseDevice(string? value)
    {
        try { return DeviceKinds.Parse(value); }
        catch (ArgumentException e) { throw new CliUsageException(e.Message); }
    }
}
