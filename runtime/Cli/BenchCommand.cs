using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Store;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// <c>model-runtime bench</c>: the on-node benchmark from the command line: for each batch size, synthetic inputs are run
/// by N concurrent callers for a fixed time, with a progress line, then a table (and optionally a JSON file).
/// </summary>
internal sealed class BenchCommand : ICliCommand
{
    public string Name => "bench";

    public string Summary => "benchmark a model in process (--model <path|uri> [--batch 1,8,32] [--concurrency N] [--duration S] [--json FILE])";

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var reference = args.Required("model");
        var batches = args.IntList("batch", [1, 8, 32]);
        var concurrency = args.Int("concurrency", 1, 1, 1024);
        var duration = TimeSpan.FromSeconds(args.Double("duration", 10, 0.1));
        var warmup = args.Int("warmup", 10, 0);
        var device = ServeCommand.ParseDevice(args.Option("device"));
        var node = args.Option("node") ?? Environment.GetEnvironmentVariable("NODE_NAME") ?? Environment.MachineName;
        var plainHttp = args.Flag("plain-http");
        var caFile = args.Option("ca-file");
        // "json" is a shared flag name, so "--json FILE" arrives as the flag plus a positional; "--json=FILE" as an option.
        var jsonFile = args.Option("json") ?? (args.Flag("json") ? args.Positionals.FirstOrDefault()
            ?? throw new CliUsageException("--json needs a file name") : null);
        args.RejectUnknown();
        if (jsonFile is not null) OutputFiles.CheckWritable(jsonFile, "--json");

        var resolved = await ModelSources.ResolveAsync(reference, new ModelSourceOptions(PlainHttp: plainHttp, CaFile: caFile), cancellationToken);
        using var model = OnnxModel.Load(resolved.OnnxPath, device, SessionTuning.ForServing());
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
