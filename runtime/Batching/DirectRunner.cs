using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Batching;

/// <summary>
/// Runs every request on its own, on the request's thread, at most <c>maxConcurrentRuns</c> at once. Concurrent runs
/// of one session fight over its intra-op thread pool, which costs far more throughput on a few cores than queuing does.
/// </summary>
internal sealed class DirectRunner(OnnxModel model, RunObserver observer, int maxConcurrentRuns) : IInferenceRunner
{
    private readonly SemaphoreSlim _slots = new(maxConcurrentRuns, maxConcurrentRuns);

    public async ValueTask<TensorData[]> RunAsync(InferRequest request, CancellationToken cancellationToken)
    {
        var queued = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!_slots.Wait(0)) await _slots.WaitAsync(cancellationToken);
        try
        {
            observer.Queued(System.Diagnostics.Stopwatch.GetElapsedTime(queued));
            observer.Ran(BatchAssembler.RowsOf(request));
            return model.Run(request.Inputs, request.OutputNames);
        }
        finally { _slots.Release(); }
    }

    public ValueTask DisposeAsync()
    {
        _slots.Dispose();
        return ValueTask.CompletedTask;
    }
}
