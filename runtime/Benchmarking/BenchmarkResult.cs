namespace ModelOperator.Runtime.Benchmarking;

/// <summary>The benchmark of one batch size on one node, as the operator records it (camelCase JSON).</summary>
/// <param name="InputShapes">The shapes the inputs had, as <c>name=[d1,…]</c>, and which dynamic dimensions had no shape and used 1.</param>
public sealed record BenchmarkResult(
    int BatchSize, double P50Ms, double P95Ms, double P99Ms, double Throughput, string Provider, string Device, string Node, string? InputShapes = null);

/// <summary>What <c>GET /v2/models/{name}/benchmark</c> answers: the model, the benchmark's status, and one result per batch size.</summary>
/// <param name="Status"><c>pending</c>, <c>running</c>, <c>completed</c>, <c>skipped</c> (iterations 0) or <c>failed</c>.</param>
/// <param name="ModelSource">How this pod got its model (node cache hit or miss, bytes pulled); null until it is fetched.</param>
/// <param name="Startup">Where the pod's start went by its own clock (process, fetch, load, benchmark); null outside a served model.</param>
public sealed record BenchmarkReport(string Model, string Status, IReadOnlyList<BenchmarkResult> Results, string? Error = null,
    Store.NodeCache.ModelFetch? ModelSource = null, Server.StartupTimings? Startup = null);
