namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// Compares the shadow revision's answer with the stable revision's answer to the same request, output by output: pure
/// arithmetic, no I/O. For every output of the stable answer:
/// <list type="bullet">
/// <item>a missing output, another datatype or another shape is a mismatch (disagrees, difference +∞), named in the result;</item>
/// <item>the max |difference| over its elements; NaN on both sides at the same element counts 0, NaN on one side only +∞;</item>
/// <item>
/// for a class-score output (floating point, rank ≥ 1, last axis of at least 2) the top-1 along the last axis of every
/// row (every index of the leading axes: a batch of several rows is several rows): a row agrees when both sides have
/// the same set of maximal indices and NaN at the same places. A tie therefore agrees only with the same tie: a shadow
/// that answers the same score for every class does not agree with a stable that has a clear top-1, whichever class
/// a tie-break would have picked.
/// </item>
/// </list>
/// Outputs of other types (integers, booleans) are judged by their difference only; <c>BYTES</c> outputs by equal shape.
/// </summary>
internal static class AnswerComparer
{
    /// <summary>One <see cref="OutputAgreement"/> per output of <paramref name="stable"/>, in its order.</summary>
    public static IReadOnlyList<OutputAgreement> Compare(IReadOnlyList<AnswerTensor> stable, IReadOnlyList<AnswerTensor> shadow)
    {
        var results = new List<OutputAgreement>(stable.Count);
        foreach (var s in stable)
        {
            var other = shadow.FirstOrDefault(t => t.Name == s.Name);
            results.Add(other is null
                ? Mismatched(s, $"the shadow's answer has no output '{s.Name}'")
                : CompareOutput(s, other));
        }
        return results;
    }

    private static OutputAgreement CompareOutput(AnswerTensor stable, AnswerTensor shadow)
    {
        if (stable.Datatype != shadow.Datatype)
            return Mismatched(stable, $"output '{stable.Name}' is {stable.Datatype} from stable and {shadow.Datatype} from the shadow");
        if (!stable.Shape.AsSpan().SequenceEqual(shadow.Shape))
            return Mismatched(stable, $"output '{stable.Name}' has shape {Shape(stable.Shape)} from stable and {Shape(shadow.Shape)} from the shadow");
        if (stable.Values is not { } a || shadow.Values is not { } b) return new OutputAgreement(stable.Name, null, 0);
        if (a.Length != b.Length)
            return Mismatched(stable, $"output '{stable.Name}' has {a.Length} values from stable and {b.Length} from the shadow for shape {Shape(stable.Shape)}");

        var maxDiff = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var nanA = double.IsNaN(a[i]);
            var nanB = double.IsNaN(b[i]);
            var diff = nanA || nanB ? (nanA && nanB ? 0 : double.PositiveInfinity) : Math.Abs(a[i] - b[i]);
            if (diff > maxDiff) maxDiff = diff;
        }

        if (!IsClassScores(stable)) return new OutputAgreement(stable.Name, null, maxDiff);
        var classes = (int)stable.Shape[^1];
        var rows = a.Length / classes;
        for (var row = 0; row < rows; row++)
        {
            var start = row * classes;
            if (!SameTop1(a.AsSpan(start, classes), b.AsSpan(start, classes)))
                return new OutputAgreement(stable.Name, false, maxDiff, Disagreement: new Top1Disagreement(row, Top1(a.AsSpan(start, classes)), Top1(b.AsSpan(start, classes))));
        }
        return new OutputAgreement(stable.Name, true, maxDiff);
    }

    private static bool IsClassScores(AnswerTensor t) => t.IsFloatingPoint && t.Shape.Length >= 1 && t.Shape[^1] >= 2;

    // The same set of maximal indices (ignoring NaN) and NaN at the same places.
    private static bool SameTop1(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var maxA = Max(a);
        var maxB = Max(b);
        for (var i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(a[i]) != double.IsNaN(b[i])) return false;
            if ((a[i] == maxA) != (b[i] == maxB)) return false;
        }
        return true;
    }

    private static double Max(ReadOnlySpan<double> values)
    {
        var max = double.NaN;
        foreach (var v in values) if (!double.IsNaN(v) && (double.IsNaN(max) || v > max)) max = v;
        return max;
    }

    /// <summary>The row's single maximal index, or −1 when it has none (a tie, or only NaN).</summary>
    internal static int Top1(ReadOnlySpan<double> values)
    {
        var max = Max(values);
        var at = -1;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] != max) continue;
            if (at >= 0) return -1;
            at = i;
        }
        return at;
    }

    private static OutputAgreement Mismatched(AnswerTensor stable, string why) =>
        new(stable.Name, IsClassScores(stable) ? false : null, double.PositiveInfinity, why);

    private static string Shape(long[] shape) => "[" + string.Join(",", shape) + "]";
}
