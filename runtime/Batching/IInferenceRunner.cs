using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Batching;

/// <summary>Runs validated requests on the model, alone or batched with others; the results are the same either way.</summary>
internal interface IInferenceRunner : IAsyncDisposable
{
    /// <summary>Returns the outputs the request asked for, in its order; the caller disposes them.</summary>
    ValueTask<TensorData[]> RunAsync(InferRequest request, CancellationToken cancellationToken);
}
