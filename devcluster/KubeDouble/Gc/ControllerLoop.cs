using Microsoft.Extensions.Logging;

namespace ModelOperator.KubeDouble.Gc;

/// <summary>
/// Runs the garbage collector and the termination controller after writes, off the request path, as the real
/// controller manager does: callers observe their effects asynchronously, or wait with <see cref="WaitIdleAsync"/>.
/// </summary>
internal sealed class ControllerLoop(object sync, GarbageCollector gc, TerminationController termination, Func<bool> gcEnabled, ILogger logger)
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _progress = new();
    private long _requested;
    private long _completed;
    private TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    public void Start() => _loop = Task.Run(RunAsync);

    public void Signal()
    {
        lock (_progress) _requested++;
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>Completes once a sweep has run after every signal given before the call.</summary>
    public async Task WaitIdleAsync(CancellationToken ct)
    {
        long target;
        lock (_progress) target = _requested;
        while (true)
        {
            Task next;
            lock (_progress)
            {
                if (_completed >= target) return;
                next = _caughtUp.Task;
            }
            await next.WaitAsync(ct);
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(_stop.Token);
                long upTo;
                lock (_progress) upTo = _requested;
                for (var round = 0; round < 100; round++)
                {
                    bool changed;
                    lock (sync) changed = termination.Sweep() | (gcEnabled() && gc.Sweep());
                    if (!changed) break;
                }
                TaskCompletionSource done;
                lock (_progress)
                {
                    _completed = Math.Max(_completed, upTo);
                    done = _caughtUp;
                    _caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                done.TrySetResult();
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e) { logger.LogError(e, "Controller sweep failed"); }
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
    }
}
