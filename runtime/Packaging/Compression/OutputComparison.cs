namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// Accumulates the drift of one output over many runs: pure arithmetic over the two models' values.
/// <paramref name="classScores"/> says the model computes the output with a Softmax (or LogSoftmax), so that a rank-3 or
/// higher output holds class scores along its last axis too, as a recogniser's [batch, positions, classes] does.
/// </summary>
internal sealed class OutputComparison(string name, bool classScores = false)
{
    private double _maxAbs;
    private int _rows, _agreeing;
    private bool _classifierLike = true;

    /// <summary>
    /// Adds one run's values of the output (<paramref name="shape"/> is the same for both). An output is classifier-like
    /// when it is floating point with at least two classes along its last axis, and of rank 2 or made by a Softmax; then
    /// the arg-max along the last axis is compared at every position of the leading axes (each a row).
    /// A NaN on one side only counts as an infinite difference.
    /// </summary>
    public void Add(double[] original, double[] compressed, long[] shape, bool floatingPoint)
    {
        if (original.Length != compressed.Length)
            throw new PackageException($"output '{name}' has {original.Length} elements in the original model and {compressed.Length} in the compressed one");
        for (var i = 0; i < original.Length; i++)
        {
            var diff = Math.Abs(original[i] - compressed[i]);
            if (double.IsNaN(diff)) diff = double.IsNaN(original[i]) && double.IsNaN(compressed[i]) ? 0 : double.PositiveInfinity;
            _maxAbs = Math.Max(_maxAbs, diff);
        }
        if (!floatingPoint || shape.Length < 2 || shape[^1] < 2 || (shape.Length > 2 && !classScores)) { _classifierLike = false; return; }
        var classes = (int)shape[^1];
        for (var row = 0; row < original.Length / classes; row++)
        {
            _rows++;
            if (ArgMax(original, row * classes, classes) == ArgMax(compressed, row * classes, classes)) _agreeing++;
        }
    }

    private static int ArgMax(double[] values, int start, int length)
    {
        var best = 0;
        for (var i = 1; i < length; i++) if (values[start + i] > values[start + best]) best = i;
        return best;
    }

    public OutputDrift Result() => _classifierLike && _rows > 0
        ? new OutputDrift(name, _maxAbs, (double)_agreeing / _rows, _rows)
        : new OutputDrift(name, _maxAbs);
}
