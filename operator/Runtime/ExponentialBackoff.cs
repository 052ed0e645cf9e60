namespace ModelOperator.Operator.Runtime;

/// <summary>Per-key capped exponential backoff: base, 2×base, 4×base … up to the cap; <see cref="Forget"/> resets a key.</summary>
public sealed class ExponentialBackoff<TKey>(TimeSpan baseDelay, TimeSpan maxDelay) where TKey : notnull
{
    private readonly Dictionary<TKey, int> _failures = new();
    private readonly Lock _lock = new();

    /// <summary>The delay before the next retry of <paramref name="key"/>, counting this failure.</summary>
    public TimeSpan Next(TKey key)
    {
        lock (_lock)
        {
            var n = _failures.GetValueOrDefault(key);
            _failures[key] = n + 1;
            var factor = Math.Pow(2, Math.Min(n, 62));
            var ticks = Math.Min(baseDelay.Ticks * factor, maxDelay.Ticks);
            return TimeSpan.FromTicks((long)ticks);
        }
    }

    /// <summary>Failures counted for <paramref name="key"/> since it last succeeded.</summary>
    public int Failures(TKey key) { lock (_lock) return _failures.GetValueOrDefault(key); }

    /// <summary>Resets <paramref name="key"/> after a success.</summary>
    public void Forget(TKey key) { lock (_lock) _failures.Remove(key); }
}
