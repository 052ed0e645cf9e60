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
                if (n >= dest.Length) return -1;
                nesting.Element(depth);
                if (!TryParseNumber<T, TFast>(s, ref i, out dest[n])) return -1;
                n++;
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

    /// <summary>
    /// Parses the JSON number at <paramref name="i"/> and moves past it: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>,
    /// followed by whitespace, a comma or a bracket. False for text that is not such a number or not exact on the fast path.
    /// </summary>
    private static bool TryParseNumber<T, TFast>(ReadOnlySpan<byte> s, ref int i, out T value) where TFast : IFastNumber<T>
    {
        value = default!;
        var negative = s[i] == (byte)'-';
        if (negative) i++;
        ulong mantissa = 0;
        var digits = 0;
        var exponent = 0;
        var truncated = false;
        if (i >= s.Length) return false;
        if (s[i] == (byte)'0') i++;
        else if (IsDigit(s, i)) for (; IsDigit(s, i); i++) Accumulate(s[i], ref mantissa, ref digits, ref exponent, ref truncated, fraction: false);
        else return false;
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            if (!IsDigit(s, i)) return false;
            for (; IsDigit(s, i); i++) Accumulate(s[i], ref mantissa, ref digits, ref exponent, ref truncated, fraction: true);
        }
        if (i < s.Length && (s[i] | 0x20) == (byte)'e')
        {
            i++;
            var negativeExponent = false;
            if (i < s.Length && s[i] is (byte)'-' or (byte)'+') negativeExponent = s[i++] == (byte)'-';
            if (!IsDigit(s, i)) return false;
            var e = 0;
            // Capped: a huge exponent only needs to be known to be out of the fast range.
            for (; IsDigit(s, i); i++) e = Math.Min(e * 10 + (s[i] - '0'), 100_000);
            exponent += negativeExponent ? -e : e;
        }
        if (i >= s.Length || s[i] is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)',' or (byte)']')) return false;
        return !truncated && TFast.TryFromParts(mantissa, exponent, negative, out value);
    }

    private static bool IsDigit(ReadOnlySpan<byte> s, int i) => i < s.Length && (uint)(s[i] - '0') <= 9;

    private static void Accumulate(byte c, ref ulong mantissa, ref int digits, ref int exponent, ref bool truncated, bool fraction)
    {
        var d = (uint)(c - '0');
        if (digits < 19)
        {
            mantissa = mantissa * 10 + d;
            // Leading zeros of a fraction are not significant digits.
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
