namespace ModelOperator.Operator.Runtime;

/// <summary>
/// A work queue in the manner of client-go: a key waits at most once (dedupe), is handed to one worker at a time
/// (serialisation; a key added while processed is queued again when <see cref="Done"/> is called), and can be added
/// after a delay or with per-key exponential backoff.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TKey> _queue = new();
    private readonly HashSet<TKey> _waiting = new();
    private readonly HashSet<TKey> _processing = new();
    private readonly HashSet<TKey> _dirty = new();
    private readonly Dictionary<TKey, (DateTimeOffset Due, ITimer Timer, long Id)> _delayed = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly ExponentialBackoff<TKey> _backoff;
    private bool _shutDown;
    private long _nextTimerId;

    /// <summary>Creates a queue with the given clock and retry backoff bounds.</summary>
    public WorkQueue(TimeProvider time, TimeSpan backoffBase, TimeSpan backoffCap)
    {
        _time = time;
        _backoff = new ExponentialBackoff<TKey>(backoffBase, backoffCap);
    }

    /// <summary>Keys waiting to be taken (not counting delayed ones or ones being processed).</summary>
    public int Depth { get { lock (_lock) return _queue.Count; } }

    /// <summary>Queues <paramref name="key"/> unless it already waits; marks it for another round if it is being processed.</summary>
    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_shutDown) return;
            if (_processing.Contains(key)) { _dirty.Add(key); return; }
            if (!_waiting.Add(key)) return;
            _queue.AddLast(key);
        }
        _available.Release();
    }

    /// <summary>Queues <paramref name="key"/> after <paramref name="delay"/>; an earlier pending due time wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) { Add(key); return; }
        lock (_lock)
        {
            if (_shutDown) return;
            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due) return;
                pending.Timer.Dispose();
            }
            var id = ++_nextTimerId;
            var timer = _time.CreateTimer(_ => Fire(key, id), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer, id);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Queues <paramref name="key"/> after its next backoff delay (a failed reconcile).</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        var delay = _backoff.Next(key);
        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Clears the backoff of <paramref name="key"/> (a successful reconcile).</summary>
    public void Forget(TKey key) => _backoff.Forget(key);

    /// <summary>Failed attempts of <paramref name="key"/> since it last succeeded.</summary>
    public int Failures(TKey key) => _backoff.Failures(key);

    /// <summary>Waits for a key and marks it as being processed; the caller must call <see cref="Done"/>.</summary>
    public async Task<TKey> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            await _available.WaitAsync(ct).ConfigureAwait(false);
            lock (_lock)
            {
                if (_queue.First is not { } node) continue;
                _queue.RemoveFirst();
                _waiting.Remove(node.Value);
                _processing.Add(node.Value);
                return node.Value;
            }
        }
    }

    /// <summary>Ends processing of <paramref name="key"/>; queues it again if it was added meanwhile.</summary>
    public void Done(TKey key)
    {
        bool requeue;
        lock (_lock)
        {
            _processing.Remove(key);
            requeue = _dirty.Remove(key);
        }
        if (requeue) Add(key);
    }

    /// <summary>Stops accepting keys and cancels delayed ones.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _shutDown = true;
            foreach (var (_, t, _) in _delayed.Values) t.Dispose();
            _delayed.Clear();
        }
    }

    private void Fire(TKey key, long id)
    {
        lock (_lock)
        {
            // A timer replaced by an earlier one may still fire once; only the current one counts.
            if (!_delayed.TryGetValue(key, out var entry) || entry.Id != id) return;
            _delayed.Remove(key);
            entry.Timer.Dispose();
        }
        Add(key);
    }
}
