using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ModelOperator.Operator.Runtime;

/// <summary>Runs workers that take keys from the queue and reconcile them: success forgets the backoff, failure retries with it.</summary>
internal sealed class ControllerLoop(string name, WorkQueue<string> queue, IReconciler reconciler, OperatorMetrics metrics, ILogger logger)
{
    /// <summary>Runs until <paramref name="stopTaking"/>; a reconcile in flight then finishes unless <paramref name="abortWork"/> fires.</summary>
    public Task RunAsync(int workers, CancellationToken stopTaking, CancellationToken abortWork) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(stopTaking, abortWork), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken stopTaking, CancellationToken ct)
    {
        while (!stopTaking.IsCancellationRequested)
        {
            string key;
            try { key = await queue.TakeAsync(stopTaking).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            metrics.QueueDepth.WithLabels(name).Set(queue.Depth);
            var watch = Stopwatch.StartNew();
            try
            {
                var result = await reconciler.ReconcileAsync(key, ct).ConfigureAwait(false);
                queue.Forget(key);
                if (result.RequeueAfter is { } after) queue.AddAfter(key, after);
                metrics.Reconciles.WithLabels(name, "success").Inc();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            catch (Exception e)
            {
                var delay = queue.AddRateLimited(key);
                metrics.Reconciles.WithLabels(name, "error").Inc();
                metrics.Errors.WithLabels(name).Inc();
                logger.LogWarning("Reconcile of {Key} failed, retrying in {DelayMs} ms (attempt {Attempt}): {Error}",
                    key, delay.TotalMilliseconds, queue.Failures(key), e.Message);
            }
            finally
            {
                metrics.Duration.WithLabels(name).Observe(watch.Elapsed.TotalSeconds);
                queue.Done(key);
            }
        }
    }
}
