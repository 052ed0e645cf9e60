namespace ModelOperator.Operator.Tests.Integration;

/// <summary>Bounded waits: poll a condition until it holds or fail saying what was awaited.</summary>
internal static class Eventually
{
    /// <summary>Generous for a loaded 2-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0} s waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await TrueAsync(() => (value = probe()) is not null, what, timeout);
        return value!;
    }
}
