using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Batching;

/// <summary>Runs every request on its own, on the request's thread; ONNX Runtime sessions allow concurrent runs.</summary>
internal sealed class DirectRunner(OnnxModel model, RunObserver observer) : IInferenceRunner
{
    public ValueTask<TensorData[]> RunAsync(InferRequest request, CancellationToken cancellationToken)
    {
        observer.Queued(TimeSpan.Zero);
        observer.Ran(BatchAssembler.RowsOf(request));
        return ValueTask.FromResult(model.Run(request.Inputs, request.Outputs.Select(o => o.Name).ToArray()));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
