namespace ModelOperator.KubeDouble.Tests;

/// <summary>Bounded waits for things the double does asynchronously (garbage collection, namespace cleanup).</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds}s waiting for {what}");
            await Task.Delay(20);
        }
    }

    public static async Task<T> WithinAsync<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var finished = await Task.WhenAny(task, Task.Delay(limit));
        if (finished != task) throw new TimeoutException($"Timed out after {limit.TotalSeconds}s waiting for {what}");
        return await task;
    }
}
