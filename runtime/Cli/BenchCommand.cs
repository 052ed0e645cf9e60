using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Store;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// <c>model-runtime bench</c>: the on-node benchmark from the command line: for each batch size, synthetic inputs are run
/// by N concurrent callers for a fixed time, with a progress line, then a table (and optionally a JSON file).
/// </summary>
internal sealed class BenchCommand : Command
{
    private readonly Option<string> _model = Text("--model", "The model: a path, file://, https://, oci://registry/repo:tag, or a package directory", "PATH|URI", required: true);
    private readonly Option<int[]?> _batch = IntList("--batch", "Batch sizes to measure, one after another (default 1,8,32)");
    private readonly Option<int> _concurrency = Int("--concurrency", "Concurrent callers", 1, 1, 1024);
    private readonly Option<double> _duration = Double("--duration", "Seconds measured per batch size", 10, 0.1, "SECONDS");
    private readonly Option<int> _warmup = Int("--warmup", "Untimed runs per batch size first", 10, 0);
    private readonly Option<DeviceKind> _device = Device("Where the model runs");
    private readonly Option<string> _node = Text("--node", "The node named in the report (default: env NODE_NAME, else the host name)", "NAME");
    private readonly Option<bool> _plainHttp = Flag("--plain-http", "Fetch oci:// models over HTTP instead of HTTPS");
    private readonly Option<string> _caFile = Text("--ca-file", "A PEM bundle of extra CAs trusted for the registry or download host", "PEM");
    private readonly Option<string> _json = Text("--json", "Also write the results to this JSON file (checked before the run)", "FILE");

    public BenchCommand() : base("bench", "Benchmark a model in process: each batch size by N concurrent callers for a fixed time, then a table")
    {
        foreach (var option in new Option[] { _model, _batch, _concurrency, _duration, _warmup, _device, _node, _plainHttp, _caFile, _json })
            Options.Add(option);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var reference = result.GetRequiredValue(_model);
        var batches = result.GetValue(_batch) ?? [1, 8, 32];
        var concurrency = result.GetValue(_concurrency);
        var duration = TimeSpan.FromSeconds(result.GetValue(_duration));
        var warmup = result.GetValue(_warmup);
        var node = result.GetValue(_node) ?? Environment.GetEnvironmentVariable("NODE_NAME") ?? Environment.MachineName;
        var jsonFile = result.GetValue(_json);
        if (jsonFile is not null) OutputFiles.CheckWritable(jsonFile, "--json");

        var sourceOptions = new ModelSourceOptions(PlainHttp: result.GetValue(_plainHttp), CaFile: result.GetValue(_caFile));
        var resolved = await ModelSources.ResolveAsync(reference, sourceOptions, cancellationToken);
        using var model = OnnxModel.Load(resolved.OnnxPath, result.GetValue(_device), SessionTuning.ForServing());
        Console.Error.WriteLine($"Loaded {resolved.OnnxPath} in {model.LoadTime.TotalSeconds:F2}s on {model.Provider.Provider} ({model.Provider.Device}): {model.Provider.Reason}");
        var results = new List<BenchmarkResult>();
        foreach (var batch in batches.Select(b => SyntheticInputs.EffectiveBatchSize(model, b)).Distinct())
        {
            var plan = new BenchmarkPlan(batch, warmup, int.MaxValue, duration, concurrency);
            results.Add(await RunWithProgressAsync(model, plan, node, cancellationToken));
        }
        PrintTable(results, concurrency);
        if (jsonFile is not null)
        {
            var report = new BenchmarkReport(ServedModel.NameFromReference(reference), "completed", results);
            await File.WriteAllTextAsync(jsonFile, JsonSerializer.Serialize(report, JsonSerializerOptions.Web), cancellationToken);
            Console.Error.WriteLine($"Wrote {jsonFile}");
        }
        return 0;
    }

    private static async Task<BenchmarkResult> RunWithProgressAsync(OnnxModel model, BenchmarkPlan plan, string node, CancellationToken cancellationToken)
    {
        var done = new StrongBox<long>();
        var run = Task.Run(() => ModelBenchmark.Run(model, plan, node, done, cancellationToken), cancellationToken);
        var started = DateTime.UtcNow;
        while (await Task.WhenAny(run, Task.Delay(250, CancellationToken.None)) != run)
        {
            var elapsed = DateTime.UtcNow - started;
            Console.Error.Write($"\rbatch {plan.BatchSize,4}: {Interlocked.Read(ref done.Value),8} runs  {elapsed.TotalSeconds,5:F1}s / {plan.Duration!.Value.TotalSeconds:F0}s");
        }
        Console.Error.WriteLine($"\rbatch {plan.BatchSize,4}: {Interlocked.Read(ref done.Value),8} runs  done{new string(' ', 16)}");
        return await run;
    }

    private static void PrintTable(IReadOnlyList<BenchmarkResult> results, int concurrency)
    {
        Console.WriteLine($"{"batch",6} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9} {"rows/s",11}  provider  device (concurrency {concurrency})");
        foreach (var r in results)
            Console.WriteLine($"{r.BatchSize,6} {r.P50Ms,9:F3} {r.P95Ms,9:F3} {r.P99Ms,9:F3} {r.Throughput,11:F1}  {r.Provider,-8}  {r.Device}");
    }
}
