using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>A decoded, validated inference request: its inputs (owned, disposed with it) and the outputs asked for.</summary>
internal sealed class InferRequest(string? id, List<TensorData> inputs, IReadOnlyList<RequestedOutput> outputs) : IDisposable
{
    public string? Id { get; } = id;
    public List<TensorData> Inputs { get; } = inputs;

    /// <summary>The outputs to return, in order; every output of the model when the request named none.</summary>
    public IReadOnlyList<RequestedOutput> Outputs { get; } = outputs;

    /// <summary>The names of <see cref="Outputs"/>, in order, as ONNX Runtime takes them.</summary>
    public string[] OutputNames { get; } = outputs.Select(o => o.Name).ToArray();

    public void Dispose()
    {
        foreach (var input in Inputs) input.Dispose();
    }
}

/// <summary>One output to return, and whether it goes in the binary section (Triton's binary tensor extension).</summary>
internal sealed record RequestedOutput(string Name, bool Binary);
