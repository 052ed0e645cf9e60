using ModelOperator.Runtime.Benchmarking;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>model-runtime bench-serving</c>: the HTTP serving benchmark behind <c>make bench</c> (raw, noop, limit, served, batching gain).</summary>
internal sealed class BenchServingCommand : ICliCommand
{
    public string Name => "bench-serving";

    public string Summary => "HTTP serving benchmark (--model <compute.onnx> --tiny-model <tiny.onnx> [--tiny-model <another.onnx>] [--large-input-model <image.onnx>] [--clients 8] [--batch-clients 32] [--duration 5])";

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var plan = new ServingBenchmarkPlan(
            Model: Path.GetFullPath(args.Required("model")),
            // Repeatable: the first is the model the batching target is about, the others are reported beside it.
            TinyModels: [.. args.Options("tiny-model").Select(Path.GetFullPath)],
            Clients: args.Int("clients", 8, 1, 1024),
            BatchClients: args.Int("batch-clients", 32, 1, 1024),
            Warmup: TimeSpan.FromSeconds(args.Double("warmup", 0.3, 0)),
            Duration: TimeSpan.FromSeconds(args.Double("duration", 1, 0.2)),
            MaxBatch: args.Int("max-batch", 32, 2, 4096),
            BatchDelayMs: args.Double("batch-delay-ms", 2, 0),
            LogFile: Path.GetFullPath(args.Option("log") ?? "bench-serve.log"),
            Rounds: args.Int("rounds", 5, 1, 100),
            // Extra serve options for the compute model's server, e.g. --serve-arg=--max-batch --serve-arg=8, to compare settings.
            ServeArgs: args.Options("serve-arg"),
            // A model with a large input (e.g. text-line-cnn, 27,648 floats): JSON parsing measured where it dominates.
            LargeInputModel: args.Option("large-input-model") is { } large ? Path.GetFullPath(large) : null);
        args.RejectUnknown();
        if (plan.TinyModels.Count == 0) throw new CliUsageException("missing required option --tiny-model");
        return await ServingBenchmark.RunAsync(plan, Console.Out, cancellationToken);
    }
}
