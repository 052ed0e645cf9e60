using System.Runtime.CompilerServices;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// The fast path for a float input's JSON <c>data</c>: checks its UTF-8 bytes against JSON's grammar for arrays of
/// numbers and writes each number straight into the tensor's buffer, with no tokens, strings or allocation per element,
/// following nesting with the same <see cref="DataNesting"/> rules as <see cref="JsonTensorDataReader"/>. It only ever
/// succeeds on well-formed data with exactly the shape's element count. Anything else (strings such as "NaN",
/// literals, malformed JSON, wrong nesting or count, numbers past the exact fast range) answers -1, and the request
/// reader then takes its general path, so every value and every error message is the one it would give.
/// </summary>
internal static class JsonNumberArrayScanner
{
    // Deeper data is left to the general reader, which applies the request's JSON depth limit.
    private const int MaxDepth = 64;

    /// <param name="json">Bytes starting at the <c>[</c> of <c>data</c> (they may go on past its end).</param>
    /// <param name="dest">The tensor's elements; the data must hold exactly this many.</param>
    /// <returns>The length of <c>data</c> in bytes (up to and including its closing <c>]</c>), or -1.</returns>
    public static int Scan<T, TFast>(ReadOnlySpan<byte> json, Span<T> dest, string name, long[] shape) where TFast : IFastNumber<T>
    {
        try
        {
            return ScanCore<T, TFast>(json, dest, name, shape);
        }
        catch (ProtocolException)
        {
            // A nesting mismatch: the general reader words it, after the checks it makes first.
            return -1;
        }
    }

    // Fully optimised from the first call: tiering's on-stack replacement of this one long loop ran it markedly slower.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScanCore<T, TFast>(ReadOnlySpan<byte> s, Span<T> dest, string name, long[] shape) where TFast : IFastNumber<T>
    {
        if (s.IsEmpty || s[0] != (byte)'[') return -1;
        var nesting = new DataNesting(name, shape);
        var depth = 0;
        var n = 0;
        var i = 1;
        var expectValue = true;
        var afterOpen = true;
        while (true)
        {
            while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i++;
            if (i >= s.Length) return -1;
            var c = s[i];
            if (expectValue && c == (byte)'[')
            {
                if (depth >= MaxDepth) return -1;
                nesting.OpenArray(++depth);
                i++;
                afterOpen = true;
            }
            else if (expectValue && (c == (byte)'-' || (uint)(c - '0') <= 9))
            {
                // A run of numbers separated by bare commas, as clients write them, stays in this loop.
                while (true)
                {
                    if (n >= dest.Length) return -1;
                    nesting.Element(depth);
                    if (!TryParseNumber<T, TFast>(s, ref i, out dest[n])) return -1;
                    n++;
                    if (i + 1 >= s.Length || s[i] != (byte)',' || !(s[i + 1] == (byte)'-' || (uint)(s[i + 1] - '0') <= 9)) break;
                    i++;
                }
                expectValue = afterOpen = false;
            }
            else if (!expectValue && c == (byte)',')
            {
                i++;
                expectValue = true;
            }
            else if (c == (byte)']' && (!expectValue || afterOpen))
            {
                nesting.CloseArray(depth);
                i++;
                if (depth-- == 0) return n == dest.Length ? i : -1;
                expectValue = afterOpen = false;
            }
            else return -1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseNumber<T, TFast>(ReadOnlySpan<byte> s, ref int i, out T value) where TFast : IFastNumber<T>
    {
        value = default!;
        return JsonNumberParts.TryParse(s, ref i, out var mantissa, out var exponent, out var negative)
            && TFast.TryFromParts(mantissa, exponent, negative, out value);
    }
}
