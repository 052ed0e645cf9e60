namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>Symmetric per-channel int8 quantisation of a float weight matrix: the pure arithmetic, table-tested.</summary>
internal static class WeightQuantization
{
    /// <summary>
    /// Quantises <paramref name="values"/> laid out as <paramref name="rows"/> × <paramref name="columns"/> (row-major) with one
    /// scale per column (<paramref name="perColumn"/>) or per row, so that <c>value ≈ q · scale</c> with <c>q ∈ [-127, 127]</c>.
    /// A channel of zeros gets scale 1 (any scale represents it exactly).
    /// </summary>
    public static (sbyte[] Quantized, float[] Scales) Quantize(ReadOnlySpan<float> values, int rows, int columns, bool perColumn)
    {
        if (values.Length != rows * columns) throw new ArgumentException($"{values.Length} values for {rows}×{columns}");
        var channels = perColumn ? columns : rows;
        var scales = new float[channels];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
            {
                var channel = perColumn ? c : r;
                scales[channel] = Math.Max(scales[channel], Math.Abs(values[r * columns + c]));
            }
        for (var i = 0; i < channels; i++) scales[i] = scales[i] > 0 && float.IsFinite(scales[i]) ? scales[i] / 127f : 1f;
        var quantized = new sbyte[values.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
            {
                var scale = scales[perColumn ? c : r];
                quantized[r * columns + c] = (sbyte)Math.Clamp(MathF.Round(values[r * columns + c] / scale), -127f, 127f);
            }
        return (quantized, scales);
    }

    /// <summary>The transpose of a row-major <paramref name="rows"/> × <paramref name="columns"/> matrix.</summary>
    public static float[] Transpose(ReadOnlySpan<float> values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }
}
