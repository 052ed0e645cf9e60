using System.Diagnostics;
using System.Runtime.CompilerServices;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>Times model runs on synthetic inputs, in process, and reports latency percentiles and throughput.</summary>
internal static class ModelBenchmark
{
    /// <param name="completed">Incremented after each timed run, so a caller can show progress.</param>
    /// <param name="shapes">Input shapes by name (the first dimension becomes the batch size); others use 1 for dynamic dimensions.</param>
    public static BenchmarkResult Run(OnnxModel model, BenchmarkPlan plan, string node, StrongBox<long>? completed = null,
        CancellationToken cancellationToken = default, IReadOnlyDictionary<string, long[]>? shapes = null)
    {
        var batch = SyntheticInputs.EffectiveBatchSize(model, plan.BatchSize);
        var inputs = SyntheticInputs.Create(model.Inputs, batch, shapes: shapes);
        try
        {
            for (var i = 0; i < plan.Warmup; i++) Dispose(model.Run(inputs, model.OutputNames));
            var latencies = new List<double>[plan.Concurrency];
            long started = 0;
            var clock = new Stopwatch();
            using var go = new ManualResetEventSlim();
            var workers = Enumerable.Range(0, plan.Concurrency).Select(w => new Thread(() =>
            {
                var mine = latencies[w] = new List<double>(Math.Min(100_000, Math.Max(16, plan.Iterations / plan.Concurrency + 1)));
                go.Wait();
                while (!cancellationToken.IsCancellationRequested)
                {
                    // In timed mode every caller makes at least one run, however late a loaded machine starts its thread.
                    if (plan.Duration is { } d ? mine.Count > 0 && clock.Elapsed >= d : Interlocked.Increment(ref started) > plan.Iterations) break;
                    var t0 = Stopwatch.GetTimestamp();
                    Dispose(model.Run(inputs, model.OutputNames));
                    mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    if (completed is not null) Interlocked.Increment(ref completed.Value);
                }
            }) { IsBackground = true, Name = $"benchmark-{w}" }).ToList();
            workers.ForEach(t => t.Start());
            clock.Start();
            go.Set();
            workers.ForEach(t => t.Join());
            var elapsed = clock.Elapsed.TotalSeconds;
            cancellationToken.ThrowIfCancellationRequested();
            var all = latencies.SelectMany(l => l).Order().ToArray();
            if (all.Length == 0) throw new InvalidOperationException("the benchmark made no timed runs");
            return new BenchmarkResult(batch, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99),
                Math.Round(all.Length * (double)batch / elapsed, 2), model.Provider.Provider, model.Provider.Device, node,
                SyntheticInputs.DescribeShapes(model.Inputs, batch, shapes));
        }
        finally { Dispose(inputs); }
    }

    /// <summary>Nearest-rank percentile of sorted values, rounded to microseconds.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Length - 1)], 3);
    }

    private static void Dispose(IEnumerable<TensorData> tensors)
    {
        foreach (var t in tensors) t.Dispose();
    }
}
