using System.Diagnostics;
using System.Threading.Channels;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Batching;

/// <summary>
/// Queues concurrent requests and runs those that fit together (same shapes apart from the first dim) as one model run
/// of up to <c>maxBatch</c> rows, waiting at most <c>maxDelay</c> after the first one for others to join. Requests that
/// do not fit run in the next round; a request as large as the batch runs alone at once.
/// </summary>
internal sealed class DynamicBatcher : IInferenceRunner
{
    private readonly OnnxModel _model;
    private readonly int _maxBatch;
    private readonly TimeSpan _maxDelay;
    private readonly RunObserver _observer;
    // Not SingleReader: a timed-out wait leaves a waiter behind, which the single-reader channel does not allow.
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<bool> _moreOnTheWay;
    private readonly Task _worker;

    /// <param name="moreOnTheWay">
    /// Whether any request is still being read that could join the batch; when none is, waiting longer only adds latency.
    /// Null means always wait for the delay.
    /// </param>
    public DynamicBatcher(OnnxModel model, int maxBatch, TimeSpan maxDelay, RunObserver observer, Func<bool>? moreOnTheWay = null)
    {
        if (!model.CanBatch) throw new ArgumentException("the model has a static first dim and cannot be batched", nameof(model));
        _model = model; _maxBatch = maxBatch; _maxDelay = maxDelay; _observer = observer; _moreOnTheWay = moreOnTheWay ?? (() => true);
        _worker = Task.Run(WorkAsync);
    }

    public ValueTask<TensorData[]> RunAsync(InferRequest request, CancellationToken cancellationToken)
    {
        if (BatchAssembler.RowsOf(request) >= _maxBatch)
        {
            _observer.Queued(TimeSpan.Zero);
            _observer.Ran(BatchAssembler.RowsOf(request));
            return ValueTask.FromResult(_model.Run(request.Inputs, request.OutputNames));
        }
        var pending = new Pending(request, Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending)) throw ProtocolException.Unavailable("the server is shutting down");
        return new ValueTask<TensorData[]>(pending.Result.Task);
    }

    private async Task WorkAsync()
    {
        Pending? carried = null;
        var batch = new List<Pending>(_maxBatch);
        while (carried is not null || await _queue.Reader.WaitToReadAsync())
        {
            if (carried is null && !_queue.Reader.TryRead(out carried)) continue;
            batch.Clear();
            batch.Add(carried);
            carried = null;
            var rows = BatchAssembler.RowsOf(batch[0].Request);
            var deadline = batch[0].Enqueued + (long)(_maxDelay.TotalSeconds * Stopwatch.Frequency);
            while (rows < _maxBatch)
            {
                if (_queue.Reader.TryRead(out var next))
                {
                    var nextRows = BatchAssembler.RowsOf(next.Request);
                    if (rows + nextRows > _maxBatch || !BatchAssembler.CanJoin(batch[0].Request, next.Request)) { carried = next; break; }
                    batch.Add(next);
                    rows += nextRows;
                    continue;
                }
                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero || !_moreOnTheWay() || !await WaitForMoreAsync(remaining)) break;
            }
            Execute(batch, rows);
        }
    }

    private async Task<bool> WaitForMoreAsync(TimeSpan remaining)
    {
        var more = _queue.Reader.WaitToReadAsync().AsTask();
        return await Task.WhenAny(more, Task.Delay(remaining)) == more && more.Result;
    }

    private void Execute(List<Pending> batch, long rows)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var p in batch) _observer.Queued(Stopwatch.GetElapsedTime(p.Enqueued, started));
        if (batch.Count == 1) { RunAlone(batch[0]); return; }
        var requests = batch.Select(p => p.Request).ToList();
        TensorData[][]? split = null;
        try
        {
            var inputs = BatchAssembler.Concat(requests);
            try
            {
                var outputs = _model.Run(inputs, _model.OutputNames);
                try { split = BatchAssembler.Split(outputs, requests); }
                finally { foreach (var o in outputs) o.Dispose(); }
            }
            finally { foreach (var i in inputs) i.Dispose(); }
        }
        catch (Exception e)
        {
            foreach (var p in batch) p.Result.TrySetException(e);
            return;
        }
        if (split is null)
        {
            // The model's outputs are not aligned with its first input dim after all: answer each request on its own.
            foreach (var p in batch) RunAlone(p);
            return;
        }
        _observer.Ran(rows);
        for (var i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(split[i]);
    }

    private void RunAlone(Pending pending)
    {
        try
        {
            _observer.Ran(BatchAssembler.RowsOf(pending.Request));
            pending.Result.TrySetResult(_model.Run(pending.Request.Inputs, pending.Request.OutputNames));
        }
        catch (Exception e) { pending.Result.TrySetException(e); }
    }

    /// <summary>Stops taking requests and finishes the ones already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker;
    }

    private sealed class Pending(InferRequest request, long enqueued)
    {
        public InferRequest Request { get; } = request;
        public long Enqueued { get; } = enqueued;
        public TaskCompletionSource<TensorData[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
