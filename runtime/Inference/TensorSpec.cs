namespace ModelOperator.Runtime.Inference;

/// <summary>An input or output of a loaded model as the protocol describes it: name, datatype and shape (-1 for a dynamic dim).</summary>
internal sealed record TensorSpec(string Name, Datatype Datatype, long[] Shape)
{
    /// <summary>True when the first dim is dynamic, so that requests can be stacked along it.</summary>
    public bool HasDynamicBatchDim => Shape.Length > 0 && Shape[0] < 0;

    /// <summary>Whether a concrete shape fits this spec: same rank, and every fixed dim equal.</summary>
    public bool Accepts(ReadOnlySpan<long> shape)
    {
        if (shape.Length != Shape.Length) return false;
        for (var i = 0; i < shape.Length; i++)
            if (Shape[i] >= 0 && Shape[i] != shape[i]) return false;
        return true;
    }

    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
