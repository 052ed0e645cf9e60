namespace ModelOperator.Runtime.Benchmarking;

/// <summary>
/// The input shapes the on-node benchmark uses and where they came from: the <c>--bench-input-shape</c> options when
/// any is given (they replace the package's, as a whole, so what was asked is what runs), else the shapes the
/// package recorded at <c>pack --input-shape</c>, else none (dynamic dimensions then use 1 and the report says so).
/// </summary>
/// <param name="Shapes">Input name → full shape; the first dimension is replaced by each batch size.</param>
/// <param name="Source">"--bench-input-shape", "the package's recorded inputShapes", or "none".</param>
internal sealed record BenchInputShapes(IReadOnlyDictionary<string, long[]> Shapes, string Source)
{
    public const string FromOptions = "--bench-input-shape";
    public const string FromPackage = "the package's recorded inputShapes";
    public const string FromNothing = "none";

    /// <summary>Chooses between the options' shapes and the package's recorded ones (null for a bare ONNX file).</summary>
    public static BenchInputShapes Choose(IReadOnlyDictionary<string, long[]> options, IReadOnlyDictionary<string, long[]>? recorded) =>
        options.Count > 0 ? new(options, FromOptions)
        : recorded is { Count: > 0 } ? new(recorded, FromPackage)
        : new(new Dictionary<string, long[]>(), FromNothing);
}
