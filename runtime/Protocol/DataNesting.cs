using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Follows the arrays of an input's JSON <c>data</c> and refuses nesting that disagrees with its shape. Data is either
/// flat (every element directly in the outer array) or nested exactly as the shape says: an array at depth d holds
/// shape[d] entries, and elements sit only at the innermost depth. The right total with the wrong nesting is refused.
/// </summary>
internal struct DataNesting(string name, long[] shape)
{
    private long[]? _counts;
    private bool _decided;
    private bool _nested;

    /// <summary>An array opened; <paramref name="depth"/> is its depth, the outer array's children being at depth 1.</summary>
    public void OpenArray(int depth)
    {
        Decide(nested: true, depth);
        if (!_nested || depth >= shape.Length) throw Mismatch();
        _counts![depth - 1]++;
        _counts[depth] = 0;
    }

    /// <summary>An element read inside the array at <paramref name="depth"/> (0 is the outer array).</summary>
    public void Element(int depth) => Elements(depth, 1);

    /// <summary><paramref name="count"/> elements read one after another inside the array at <paramref name="depth"/>.</summary>
    public void Elements(int depth, int count)
    {
        Decide(nested: false, depth);
        if (_nested)
        {
            if (depth != shape.Length - 1) throw Mismatch();
            _counts![depth] += count;
        }
        else if (depth != 0) throw Mismatch();
    }

    /// <summary>The array at <paramref name="depth"/> closed.</summary>
    public readonly void CloseArray(int depth)
    {
        if (_nested && _counts![depth] != shape[depth]) throw Mismatch();
    }

    private void Decide(bool nested, int depth)
    {
        if (_decided) return;
        _decided = true;
        _nested = nested && depth == 1;
        if (_nested)
        {
            _counts = new long[shape.Length];
        }
    }

    private readonly ProtocolException Mismatch() => ProtocolException.BadRequest(
        $"input '{name}': the nesting of 'data' does not match its shape {TensorSpec.Format(shape)}; send it flat or nested exactly as the shape says");
}
