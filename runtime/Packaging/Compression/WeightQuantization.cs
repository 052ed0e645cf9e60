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

    /// <summary>
    /// Quantises a tensor of <paramref name="dims"/> with one scale per index along <paramref name="axis"/> (a weight-only
    /// int8 copy decoded by <c>Cast</c> and a broadcast <c>Mul</c>): the N-D form of <see cref="Quantize"/>.
    /// </summary>
    public static (sbyte[] Quantized, float[] Scales) QuantizePerAxis(ReadOnlySpan<float> values, IReadOnlyList<long> dims, int axis)
    {
        if (axis < 0 || axis >= dims.Count) throw new ArgumentException($"axis {axis} of a rank-{dims.Count} tensor");
        var channels = (int)dims[axis];
        var inner = 1;
        for (var i = axis + 1; i < dims.Count; i++) inner *= (int)dims[i];
        var outer = channels == 0 || inner == 0 ? 0 : values.Length / (channels * inner);
        // Laid out as outer × channels × inner: gather each channel as a column of an (outer·inner) × channels matrix.
        var gathered = new float[values.Length];
        for (var o = 0; o < outer; o++)
            for (var c = 0; c < channels; c++)
                for (var i = 0; i < inner; i++)
                    gathered[(o * inner + i) * channels + c] = values[(o * channels + c) * inner + i];
        var (q, scales) = Quantize(gathered, outer * inner, channels, perColumn: true);
        var quantized = new sbyte[values.Length];
        for (var o = 0; o < outer; o++)
            for (var c = 0; c < channels; c++)
                for (var i = 0; i < inner; i++)
                    quantized[(o * channels + c) * inner + i] = q[(o * inner + i) * channels + c];
        return (quantized, scales);
    }

    /// <summary>A row-major tensor of <paramref name="dims"/> with its axes permuted as ONNX <c>Transpose</c> does (<paramref name="perm"/>, reversed when empty).</summary>
    public static (float[] Values, long[] Dims) Permute(ReadOnlySpan<float> values, IReadOnlyList<long> dims, IReadOnlyList<long> perm)
    {
        var rank = dims.Count;
        var order = perm.Count == 0 ? Enumerable.Range(0, rank).Reverse().ToArray() : perm.Select(p => (int)p).ToArray();
        if (order.Length != rank || order.Order().Where((p, i) => p != i).Any()) throw new ArgumentException($"perm [{string.Join(",", perm)}] for rank {rank}");
        var outDims = order.Select(p => dims[p]).ToArray();
        var inStrides = new long[rank];
        for (long i = rank - 1, stride = 1; i >= 0; stride *= dims[(int)i], i--) inStrides[i] = stride;
        var result = new float[values.Length];
        var index = new long[rank];
        for (var n = 0; n < result.Length; n++)
        {
            long source = 0;
            for (var d = 0; d < rank; d++) source += index[d] * inStrides[order[d]];
            result[n] = values[(int)source];
            for (var d = rank - 1; d >= 0 && ++index[d] == outDims[d]; d--) index[d] = 0;
        }
        return (result, outDims);
    }
}
