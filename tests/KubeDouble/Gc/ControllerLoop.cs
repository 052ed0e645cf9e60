using Microsoft.Extensions.Logging;

namespace ModelOperator.KubeDouble.Gc;

/// <summary>
/// Runs the garbage collector and the termination controller after writes, off the request path, as the real
/// controller manager does: callers observe their effects asynchronously.
/// </summary>
internal sealed class ControllerLoop(object sync, GarbageCollector gc, TerminationController termination, Func<bool> gcEnabled, ILogger logger)
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = Task.Run(RunAsync);

    public void Signal()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(_stop.Token);
                for (var round = 0; round < 100; round++)
                {
                    bool changed;
                    lock (sync) changed = termination.Sweep() | (gcEnabled() && gc.Sweep());
                    if (!changed) break;
                }
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
