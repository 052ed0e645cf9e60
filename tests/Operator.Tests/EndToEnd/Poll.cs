namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>Bounded waits on conditions that need API calls: poll every 250 ms, or fail saying what was awaited.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
            await Task.Delay(250);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan timeout) where T : class
    {
        T? value = null;
        await UntilAsync(async () => (value = await probe()) is not null, what, timeout);
        return value!;
    }
}
