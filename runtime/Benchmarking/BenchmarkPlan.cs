namespace ModelOperator.Runtime.Benchmarking;

/// <summary>
/// How to benchmark one batch size: <see cref="Warmup"/> untimed runs, then either <see cref="Iterations"/> timed runs or,
/// when <see cref="Duration"/> is set, as many as fit in it; <see cref="Concurrency"/> callers run at once.
/// </summary>
internal sealed record BenchmarkPlan(int BatchSize, int Warmup, int Iterations, TimeSpan? Duration = null, int Concurrency = 1);
