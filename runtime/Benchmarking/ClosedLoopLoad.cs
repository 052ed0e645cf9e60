using System.Diagnostics;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>
/// A closed loop of N clients, each sending the next request as soon as the last one is answered, for a fixed time
/// after a warm-up; the transport (HTTP, gRPC) is the <c>send</c> function, which returns an error message or null.
/// </summary>
internal static class ClosedLoopLoad
{
    public static async Task<LoadResult> RunAsync(Func<CancellationToken, Task<string?>> send, int clients, TimeSpan warmup, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        var measuring = false;
        var stop = false;
        long completed = 0, failed = 0;
        string? firstError = null;
        var latencies = new List<double>[clients];

        async Task ClientAsync(int index)
        {
            var mine = latencies[index] = new List<double>(4096);
            while (!Volatile.Read(ref stop) && !cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var error = await send(cancellationToken);
                if (!Volatile.Read(ref measuring)) continue;
                if (error is null)
                {
                    Interlocked.Increment(ref completed);
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        }

        var tasks = Enumerable.Range(0, clients).Select(i => Task.Run(() => ClientAsync(i), cancellationToken)).ToArray();
        await Task.Delay(warmup, cancellationToken);
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(duration, cancellationToken);
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var done = Interlocked.Read(ref completed);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        var sorted = latencies.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
        return new LoadResult(done / elapsed, done, Interlocked.Read(ref failed),
            sorted.Length == 0 ? 0 : ModelBenchmark.Percentile(sorted, 0.50), sorted.Length == 0 ? 0 : ModelBenchmark.Percentile(sorted, 0.99), firstError);
    }
}
