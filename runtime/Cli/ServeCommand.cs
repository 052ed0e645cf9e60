using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Server;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>model-runtime serve</c>: serves one model over the Open Inference Protocol v2 until SIGTERM or Ctrl+C.</summary>
internal sealed class ServeCommand : ICliCommand
{
    public string Name => "serve";

    public string Summary => "serve a model over the Open Inference Protocol v2 (--model <path|uri> [--name N] [--port 8080] [--device auto|cuda|cpu] [--max-batch N --batch-delay-ms D] [--sha256 HEX] [--plain-http] [--ca-file PEM])";

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

    public static ServeOptions Parse(CliArgs args)
    {
        var defaults = new ServeOptions { Model = "" };
        var runs = args.Int("max-concurrent-runs", defaults.MaxConcurrentRuns, 1, 1024);
        var tuning = SessionTuning.ForServing(runs);
        tuning = tuning with { IntraOpThreads = args.Int("intra-op-threads", tuning.IntraOpThreads, 1, 1024) };
        var options = new ServeOptions
        {
            Model = args.Required("model"),
            Name = args.Option("name"),
            Host = args.Option("host") ?? defaults.Host,
            Port = args.Int("port", defaults.Port, 0, 65535),
            Device = ParseDevice(args.Option("device")),
            MaxBatch = args.Int("max-batch", defaults.MaxBatch, 1, 4096),
            BatchDelay = TimeSpan.FromMilliseconds(args.Double("batch-delay-ms", defaults.BatchDelay.TotalMilliseconds, 0)),
            MaxBodyBytes = args.Int("max-body-mb", (int)(defaults.MaxBodyBytes >> 20), 1, 2047) * 1024L * 1024,
            BenchBatchSizes = args.IntList("bench-batch", defaults.BenchBatchSizes),
            BenchIterations = args.Int("bench-iterations", defaults.BenchIterations, 0),
            BenchWarmup = args.Int("bench-warmup", defaults.BenchWarmup, 0),
            EnableNoopEndpoint = args.Flag("enable-noop-endpoint"),
            PlainHttp = args.Flag("plain-http"),
            Sha256 = args.Option("sha256"),
            CaFile = args.Option("ca-file"),
            MaxConcurrentRuns = runs,
            Tuning = tuning,
        };
        if (args.Option("node") is { } node) options = options with { Node = node };
        args.RejectUnknown();
        return options;
    }

    internal static DeviceKind ParseDevice(string? value)
    {
        try { return DeviceKinds.Parse(value); }
        catch (ArgumentException e) { throw new CliUsageException(e.Message); }
    }
}
