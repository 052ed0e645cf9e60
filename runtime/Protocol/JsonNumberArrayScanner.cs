using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// The fast path for a float input's JSON <c>data</c>: scans its UTF-8 bytes, which the request reader has already
/// checked are well-formed JSON, and writes each number straight into the tensor's buffer, with no token objects,
/// strings or allocation per element. Nesting is followed with the same <see cref="DataNesting"/> rules, in the same
/// order, as <see cref="JsonTensorDataReader"/>. Anything else (strings such as "NaN", literals, more elements than the
/// shape holds, numbers past the exact fast range) answers false, and the general reader then decides, so every value
/// and every error message is the one it would give.
/// </summary>
internal static class JsonNumberArrayScanner
{
    /// <param name="data">The bytes of <c>data</c>, from its <c>[</c> to its matching <c>]</c>, already validated as JSON.</param>
    /// <returns>True with <paramref name="count"/> elements written; false when the general reader must decide.</returns>
    public static bool TryRead<T, TFast>(ReadOnlySpan<byte> data, Span<T> dest, string name, long[] shape, out int count)
        where TFast : IFastNumber<T>
    {
        count = 0;
        if (data.IsEmpty || data[0] != (byte)'[') return false;
        var nesting = new DataNesting(name, shape);
        var depth = 0;
        var n = 0;
        var i = 1;
        while (i < data.Length)
        {
            var c = data[i];
            switch (c)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)',':
                    i++;
                    break;
                case (byte)'[':
                    nesting.OpenArray(++depth);
                    i++;
                    break;
                case (byte)']':
                    nesting.CloseArray(depth);
                    if (depth-- == 0) { count = n; return true; }
                    i++;
                    break;
                case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                    if (n >= dest.Length) return false;
                    nesting.Element(depth);
                    if (!TryParseNumber<T, TFast>(data, ref i, out dest[n])) return false;
                    n++;
                    break;
                default:
                    // A string, true/false/null or an object: the general reader accepts what it may and words the error.
                    return false;
            }
        }
        return false;
    }

    /// <summary>Parses the JSON number at <paramref name="i"/> (its grammar already checked) and moves past it.</summary>
    private static bool TryParseNumber<T, TFast>(ReadOnlySpan<byte> s, ref int i, out T value) where TFast : IFastNumber<T>
    {
        value = default!;
        var negative = s[i] == (byte)'-';
        if (negative) i++;
        ulong mantissa = 0;
        var digits = 0;
        var exponent = 0;
        var truncated = false;
        for (; i < s.Length && (uint)(s[i] - '0') <= 9; i++) Accumulate(s[i], ref mantissa, ref digits, ref exponent, ref truncated, fraction: false);
        if (i < s.Length && s[i] == (byte)'.')
            for (i++; i < s.Length && (uint)(s[i] - '0') <= 9; i++) Accumulate(s[i], ref mantissa, ref digits, ref exponent, ref truncated, fraction: true);
        if (i < s.Length && (s[i] | 0x20) == (byte)'e')
        {
            i++;
            var negativeExponent = false;
            if (s[i] == (byte)'-') { negativeExponent = true; i++; }
            else if (s[i] == (byte)'+') i++;
            var e = 0;
            // Capped: a huge exponent only needs to be known to be out of the fast range.
            for (; i < s.Length && (uint)(s[i] - '0') <= 9; i++) e = Math.Min(e * 10 + (s[i] - '0'), 100_000);
            exponent += negativeExponent ? -e : e;
        }
        return !truncated && TFast.TryFromParts(mantissa, exponent, negative, out value);
    }

    private static void Accumulate(byte c, ref ulong mantissa, ref int digits, ref int exponent, ref bool truncated, bool fraction)
    {
        var d = (uint)(c - '0');
        if (digits < 19)
        {
            mantissa = mantissa * 10 + d;
            // Leading zeros are not significant digits.
            if (mantissa != 0) digits++;
            if (fraction) exponent--;
        }
        else
        {
            // Digits past 19 would need more than 64 bits: left to the general reader unless they are zeros of a fraction.
            if (d != 0) truncated = true;
            if (!fraction) exponent++;
        }
    }
}
