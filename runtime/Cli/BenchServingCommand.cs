using System.CommandLine;
using ModelOperator.Runtime.Benchmarking;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>model-runtime bench-serving</c>: the HTTP serving benchmark behind <c>make bench</c> (raw, noop, limit, served, batching gain).</summary>
internal sealed class BenchServingCommand : Command
{
    private readonly Option<string> _model = Text("--model", "The compute-bound model measured against its limit (raw ONNX Runtime and the noop endpoint)", "ONNX", required: true);
    // Repeatable: the first is the model the batching target is about, the others are reported beside it.
    private readonly Option<string[]> _tinyModels = Repeated("--tiny-model", "A tiny model for the batching gain; the first is the target, others are reported beside it (repeatable)", "ONNX");
    // A model with a large input (e.g. text-line-cnn, 27,648 floats): JSON parsing measured where it dominates.
    private readonly Option<string> _largeInputModel = Text("--large-input-model", "A model with a large input, to measure JSON where parsing dominates", "ONNX");
    private readonly Option<int> _clients = Int("--clients", "Concurrent clients at batch 1", 8, 1, 1024);
    private readonly Option<int> _batchClients = Int("--batch-clients", "Concurrent clients for the batching gain", 32, 1, 1024);
    private readonly Option<double> _warmup = Double("--warmup", "Seconds of warm-up before each measurement", 0.3, 0, "SECONDS");
    private readonly Option<double> _duration = Double("--duration", "Seconds per measurement", 1, 0.2, "SECONDS");
    private readonly Option<int> _maxBatch = Int("--max-batch", "--max-batch of the batching servers", 32, 2, 4096);
    private readonly Option<double> _batchDelay = Double("--batch-delay-ms", "--batch-delay-ms of the batching servers", 2, 0, "MS");
    private readonly Option<string> _log = Text("--log", "Where the servers' logs go (default bench-serve.log)", "FILE");
    private readonly Option<int> _rounds = Int("--rounds", "Interleaved rounds; medians are reported", 5, 1, 100);
    // Extra serve options for the compute model's server, e.g. --serve-arg=--max-batch --serve-arg=8, to compare settings.
    // Only the shadow-mirroring cost (issue 23), for a quick look without the rest of make bench.
    private readonly Option<bool> _mirroringOnly = Flag("--mirroring-only", "Measure only the shadow-mirroring cost: today's server, mirroring off, mirroring every request");
    private readonly Option<string[]> _serveArgs = Repeated("--serve-arg", "One more word for the compute model's serve command line, e.g. --serve-arg=--max-batch --serve-arg=8 (repeatable)", "WORD");

    public BenchServingCommand() : base("bench-serving", "The HTTP and gRPC serving benchmark behind make bench: raw, noop, limit, served binary/gRPC/JSON, batching gain")
    {
        foreach (var option in new Option[] { _model, _tinyModels, _largeInputModel, _clients, _batchClients, _warmup, _duration, _maxBatch, _batchDelay, _log, _rounds, _serveArgs, _mirroringOnly })
            Options.Add(option);
        _tinyModels.Required = true;
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var plan = new ServingBenchmarkPlan(
            Model: Path.GetFullPath(result.GetRequiredValue(_model)),
            TinyModels: [.. result.GetRequiredValue(_tinyModels).Select(Path.GetFullPath)],
            Clients: result.GetValue(_clients),
            BatchClients: result.GetValue(_batchClients),
            Warmup: TimeSpan.FromSeconds(result.GetValue(_warmup)),
            Duration: TimeSpan.FromSeconds(result.GetValue(_duration)),
            MaxBatch: result.GetValue(_maxBatch),
            BatchDelayMs: result.GetValue(_batchDelay),
            LogFile: Path.GetFullPath(result.GetValue(_log) ?? "bench-serve.log"),
            Rounds: result.GetValue(_rounds),
            ServeArgs: result.GetValue(_serveArgs) ?? [],
            LargeInputModel: result.GetValue(_largeInputModel) is { } large ? Path.GetFullPath(large) : null);
        if (result.GetValue(_mirroringOnly))
        {
            var cost = await MirroringCost.MeasureAsync(plan, cancellationToken);
            MirroringCost.Report(cost, plan, Console.Out);
            return cost.Last.Any(r => r.Failed > 0) ? 1 : 0;
        }
        return await ServingBenchmark.RunAsync(plan, Console.Out, cancellationToken);
    }
}
