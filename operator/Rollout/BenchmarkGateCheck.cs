using System.Globalization;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Rollout;

/// <summary>The gate's verdict for one pod: passed, or why not with the node and measured numbers.</summary>
public sealed record GateVerdict(bool Passed, string Message);

/// <summary>
/// Applies <c>spec.benchmark.gate</c> to one pod's on-node benchmark. <c>maxP95Ms</c> must hold at every measured batch
/// size (a caller may send any of them); <c>minThroughput</c> is met by the best batch size (the batcher forms the
/// batches that give it). A value exactly at a limit passes; a value that is not a number fails.
/// </summary>
public static class BenchmarkGateCheck
{
    /// <summary>Checks <paramref name="results"/> (one per batch size) measured on <paramref name="node"/>.</summary>
    public static GateVerdict Evaluate(BenchmarkGate? gate, IReadOnlyList<BenchmarkResult> results, string node)
    {
        if (gate is null || (gate.MaxP95Ms is null && gate.MinThroughput is null))
            return new GateVerdict(true, $"No benchmark gate is set; measured on node {node}: {Summary(results)}");
        if (results.Count == 0)
            return new GateVerdict(false, $"The benchmark on node {node} produced no results, so the gate cannot pass");

        var failures = new List<string>();
        if (gate.MaxP95Ms is { } maxP95)
            foreach (var r in results.Where(r => !(r.P95Ms <= maxP95))) // NaN and null fail too
                failures.Add($"p95 {Ms(r.P95Ms)} at batch {r.BatchSize} exceeds maxP95Ms {F(maxP95)}");
        if (gate.MinThroughput is { } minThroughput)
        {
            var best = results.Where(r => r.Throughput is { } t && !double.IsNaN(t)).Select(r => r.Throughput!.Value).DefaultIfEmpty(double.NaN).Max();
            if (!(best >= minThroughput))
                failures.Add($"best throughput {F(best)}/s is below minThroughput {F(minThroughput)}/s");
        }
        return failures.Count == 0
            ? new GateVerdict(true, $"Benchmark gate passed on node {node}: {Summary(results)}")
            : new GateVerdict(false, $"Benchmark gate failed on node {node}: {string.Join("; ", failures)}");
    }

    private static string Summary(IReadOnlyList<BenchmarkResult> results) => results.Count == 0
        ? "no results"
        : string.Join(", ", results.Select(r => $"batch {r.BatchSize} p95 {Ms(r.P95Ms)} {F(r.Throughput ?? double.NaN)}/s"));

    private static string Ms(double? v) => v is { } x ? F(x) + "ms" : "unmeasured";
    private static string F(double v) => double.IsNaN(v) ? "NaN" : v.ToString("0.##", CultureInfo.InvariantCulture);
}
