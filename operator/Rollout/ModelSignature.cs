namespace ModelOperator.Operator.Rollout;

/// <summary>One input or output tensor as the runtime's OIP v2 model metadata describes it; -1 is a dynamic dimension.</summary>
public sealed record TensorSignature(string Name, string Datatype, IReadOnlyList<long> Shape)
{
    /// <summary>The shape as <c>[1,24,96]</c>.</summary>
    public string ShapeText => $"[{string.Join(',', Shape)}]";
}

/// <summary>A model's inputs and outputs: what callers depend on.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs);
