namespace ModelOperator.KubeDouble.Http;

/// <summary>
/// Gives write requests the store's lock one at a time, each waiting for its turn asynchronously. Writes are
/// serialised by the lock anyway; queueing them here keeps many concurrent writers from spinning and blocking
/// thread-pool threads on the lock, which on a small, loaded machine costs more CPU than the writes themselves.
/// </summary>
internal sealed class WriteTurns
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Waits for this request's turn; disposing the result ends it. Not cancelled: a write that arrived is done.</summary>
    public async Task<IDisposable> TakeAsync()
    {
        await _turn.WaitAsync();
        return new Turn(_turn);
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) turn.Release();
        }
    }
}
