using System.Globalization;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>One model's dynamic-batching measurement: its in-process run cost, served req/s without and with batching, and the batches formed.</summary>
internal sealed record BatchingGainResult(string Model, double RunMicrosBatch1, double RunMicrosFullBatch, LoadResult Unbatched, LoadResult Batched, double MeanBatchRows)
{
    public double Gain => Batched.RequestsPerSecond / Unbatched.RequestsPerSecond;
}

/// <summary>
/// The gain of dynamic batching on one model: two servers of the same stack, one with <c>--max-batch 1</c> (its other
/// defaults untouched) and one batching, loaded alike by the same clients in interleaved rounds; the medians compared.
/// </summary>
internal static class BatchingGain
{
    public static async Task<BatchingGainResult> MeasureAsync(string modelPath, ServingBenchmarkPlan plan, CancellationToken cancellationToken)
    {
        using var tiny = OnnxModel.Load(modelPath, DeviceKind.Cpu, SessionTuning.ForServing());
        var tinyInputs = SyntheticInputs.Create(tiny, 1);
        var tinyName = Server.ServedModel.NameFromReference(modelPath);
        var tinyBody = InferRequestBodies.Json($"v2/models/{tinyName}/infer", tinyInputs);
        foreach (var t in tinyInputs) t.Dispose();
        // What one model run costs in process, alone and at the full batch, so the report says which regime the model is in.
        ModelBenchmark.Run(tiny, new BenchmarkPlan(1, 200, 1), "local", cancellationToken: cancellationToken);
        var one = ModelBenchmark.Run(tiny, new BenchmarkPlan(1, 0, int.MaxValue, plan.Duration / 2), "local", cancellationToken: cancellationToken);
        var full = ModelBenchmark.Run(tiny, new BenchmarkPlan(plan.MaxBatch, 0, int.MaxValue, plan.Duration / 2), "local", cancellationToken: cancellationToken);

        string[] common = ["--model", modelPath, "--bench-iterations", "0", "--device", "cpu"];
        // Both servers run at once (an idle one costs nothing) so their measurements can be interleaved like the others.
        await using var plain = await ServerProcess.StartAsync([.. common, "--max-batch", "1"], plan.LogFile, cancellationToken);
        await using var batching = await ServerProcess.StartAsync([.. common, "--max-batch", plan.MaxBatch.ToString(CultureInfo.InvariantCulture),
            "--batch-delay-ms", plan.BatchDelayMs.ToString(CultureInfo.InvariantCulture)], plan.LogFile, cancellationToken);
        var without = new List<LoadResult>();
        var with = new List<LoadResult>();
        for (var round = 0; round < plan.Rounds; round++)
        {
            without.Add(await new HttpLoadGenerator(plain.BaseAddress).RunAsync(tinyBody, plan.BatchClients, plan.Warmup, plan.Duration, cancellationToken));
            with.Add(await new HttpLoadGenerator(batching.BaseAddress).RunAsync(tinyBody, plan.BatchClients, plan.Warmup, plan.Duration, cancellationToken));
        }
        var meanRows = await MeanBatchRowsAsync(batching.BaseAddress, cancellationToken);
        return new BatchingGainResult(tinyName, 1e6 / one.Throughput, 1e6 * plan.MaxBatch / full.Throughput,
            MedianOf(without), MedianOf(with), meanRows);
    }

    private static LoadResult MedianOf(List<LoadResult> results) => results.OrderBy(r => r.RequestsPerSecond).ElementAt(results.Count / 2);

    /// <summary>Rows per model run on the batching server, from its <c>modelruntime_batch_size</c> histogram (sum over count); NaN when absent.</summary>
    private static async Task<double> MeanBatchRowsAsync(Uri server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync("metrics", cancellationToken);
        double sum = 0, count = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("modelruntime_batch_size_sum", StringComparison.Ordinal)) sum += LastNumber(line);
            else if (line.StartsWith("modelruntime_batch_size_count", StringComparison.Ordinal)) count += LastNumber(line);
        }
        return count > 0 ? sum / count : double.NaN;
    }

    private static double LastNumber(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
}
