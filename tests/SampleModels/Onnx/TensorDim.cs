namespace ModelOperator.SampleModels.Onnx;

/// <summary>One dimension of a declared tensor shape: a fixed size or a named dynamic size (<c>dim_param</c>).</summary>
public readonly record struct TensorDim
{
    private TensorDim(long? size, string? symbol) => (Size, Symbol) = (size, symbol);

    /// <summary>The fixed size, or null when the dimension is dynamic.</summary>
    public long? Size { get; }

    /// <summary>The symbolic name of a dynamic dimension, or null when the size is fixed.</summary>
    public string? Symbol { get; }

    /// <summary>A dimension of fixed size.</summary>
    public static TensorDim Fixed(long size) =>
        size >= 0 ? new(size, null) : throw new ArgumentOutOfRangeException(nameof(size), size, "A fixed dimension cannot be negative.");

    /// <summary>A dynamic dimension, e.g. the batch dimension, named so runtimes can tell equal dimensions apart.</summary>
    public static TensorDim Dynamic(string symbol) =>
        string.IsNullOrWhiteSpace(symbol) ? throw new ArgumentException("A dynamic dimension needs a name.", nameof(symbol)) : new(null, symbol);

    /// <summary>Lets fixed sizes be written as plain numbers in shape lists.</summary>
    public static implicit operator TensorDim(long size) => Fixed(size);

    /// <inheritdoc />
    public override string ToString() => Symbol ?? Size!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
