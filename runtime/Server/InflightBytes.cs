namespace ModelOperator.Runtime.Server;

/// <summary>
/// Bounds the request bytes held at once (<c>serve --max-inflight-bytes</c>). A request reserves twice its body
/// (the body and the tensors decoded from it) before the body is read, and keeps the reservation until answered;
/// one that does not fit is refused with 503 and <c>Retry-After</c> rather than growing the heap. A request is always
/// admitted when nothing else is held, so any body under the body limit can still be served on its own.
/// </summary>
internal sealed class InflightBytes(long limit)
{
    private long _held;

    public long Limit { get; } = limit;

    public long Held => Interlocked.Read(ref _held);

    public bool TryAcquire(long bytes)
    {
        while (true)
        {
            var held = Interlocked.Read(ref _held);
            if (held != 0 && held + bytes > Limit) return false;
            if (Interlocked.CompareExchange(ref _held, held + bytes, held) == held) return true;
        }
    }

    /// <summary>Reservations at least this large are followed, once nothing is held, by a compacting collection.</summary>
    public const long TrimAfterBytes = 16L << 20;

    private Timer? _trim;

    public void Release(long bytes)
    {
        if (Interlocked.Add(ref _held, -bytes) == 0 && bytes >= TrimAfterBytes) ScheduleTrim();
    }

    /// <summary>
    /// Two seconds after large requests leave the server idle, gives their memory back to the system: the GC would
    /// otherwise keep the heap at its peak, since an idle server allocates nothing that would trigger a collection.
    /// </summary>
    private void ScheduleTrim()
    {
        var timer = new Timer(_ =>
        {
            if (Held == 0) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        });
        Interlocked.Exchange(ref _trim, timer)?.Dispose();
        timer.Change(TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
    }

    /// <summary>The default: a sixteenth of the memory this process may use (the cgroup limit in a container), within 128 MB–512 MB.</summary>
    public static long DefaultLimit()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return Math.Clamp(available / 16, 128L << 20, 512L << 20);
    }
}
