using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Splits one JSON number in UTF-8 into the parts <see cref="IFastNumber{T}"/> turns into a value: up to 19 significant
/// decimal digits, a decimal exponent and a sign. Runs of up to sixteen digits are found and converted with a few 64-bit operations
/// (the SWAR technique of simdjson and fast_float), with no branch per digit, whose varying count would be mispredicted.
/// </summary>
internal static class JsonNumberParts
{
    /// <summary>More significant digits than this need more than 64 bits.</summary>
    internal const int MaxDigits = 19;

    /// <summary>
    /// Parses the JSON number at <paramref name="i"/> and moves past it: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>,
    /// which must be followed by whitespace, a comma or a closing bracket. False for text that is not such a number, or
    /// whose significant digits do not all fit in <paramref name="mantissa"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, ref int i, out ulong mantissa, out int exponent, out bool negative)
    {
        mantissa = 0;
        exponent = 0;
        var p = i;
        negative = p < s.Length && s[p] == (byte)'-';
        if (negative) p++;
        if (p >= s.Length) return false;
        var digits = 0;
        var truncated = false;
        if (s[p] == (byte)'0') p++;
        else if (IsDigit(s, p))
        {
            AccumulateDigits(s, ref p, ref mantissa, ref digits);
            // Integer digits past what fits scale the number up; dropping a non-zero one would change its value.
            for (; IsDigit(s, p); p++) { truncated |= s[p] != (byte)'0'; exponent++; }
        }
        else return false;
        if (p < s.Length && s[p] == (byte)'.')
        {
            p++;
            if (!IsDigit(s, p)) return false;
            // Leading zeros of a fraction only move the exponent.
            if (mantissa == 0)
                for (; p < s.Length && s[p] == (byte)'0'; p++) exponent--;
            exponent -= AccumulateDigits(s, ref p, ref mantissa, ref digits);
            for (; IsDigit(s, p); p++) truncated |= s[p] != (byte)'0';
        }
        if (p < s.Length && (s[p] | 0x20) == (byte)'e')
        {
            p++;
            var negativeExponent = false;
            if (p < s.Length && s[p] is (byte)'-' or (byte)'+') negativeExponent = s[p++] == (byte)'-';
            if (!IsDigit(s, p)) return false;
            var e = 0;
            // Capped: a huge exponent only needs to be known to be out of the fast range.
            for (; IsDigit(s, p); p++) e = Math.Min(e * 10 + (s[p] - '0'), 100_000);
            exponent += negativeExponent ? -e : e;
        }
        if (p >= s.Length || !EndsNumber(s[p])) return false;
        i = p;
        return !truncated;
    }

    /// <summary>
    /// Appends the run of digits at <paramref name="p"/> to <paramref name="mantissa"/> while they fit in
    /// <see cref="MaxDigits"/>, up to sixteen at a time with no branch on how many there are; returns how many it took,
    /// leaving <paramref name="p"/> on the first digit that did not fit or the first byte that is not a digit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AccumulateDigits(ReadOnlySpan<byte> s, ref int p, ref ulong mantissa, ref int digits)
    {
        var start = p;
        while (p + 16 <= s.Length)
        {
            var first = BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(p, 8));
            var second = BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(p + 8, 8));
            var firstCount = LeadingDigitCount(first);
            // The second eight count only when the first eight are all digits (firstCount >> 3 is then 1, else 0).
            var secondCount = LeadingDigitCount(second) & -(firstCount >> 3);
            var count = firstCount + secondCount;
            if (count == 0 || digits + count > MaxDigits) break;
            mantissa = mantissa * PowersOfTen[count] + LeadingDigitsValue(first, firstCount) * PowersOfTen[secondCount] + LeadingDigitsValue(second, secondCount);
            digits += count;
            p += count;
            if (count < 16) return p - start;
        }
        // Near the end of the body, or past what fits in one step: digit by digit.
        for (; digits < MaxDigits && IsDigit(s, p); p++)
        {
            mantissa = mantissa * 10 + (uint)(s[p] - '0');
            digits++;
        }
        return p - start;
    }

    /// <summary>Ten to the 0th to the 18th, every power a <see cref="MaxDigits"/>-digit mantissa is built with.</summary>
    internal static ReadOnlySpan<ulong> PowersOfTen =>
        [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000,
         1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000, 10_000_000_000_000_000,
         100_000_000_000_000_000, 1_000_000_000_000_000_000];

    /// <summary>Whether <paramref name="b"/> may follow a number in an array: whitespace, a comma or a closing bracket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool EndsNumber(byte b) => Terminators[b] != 0;

    // One load for the six bytes that end a number (an exponent's 'e' is not one of them: it continues it).
    private static ReadOnlySpan<byte> Terminators =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(ReadOnlySpan<byte> s, int i) => (uint)i < (uint)s.Length && (uint)(s[i] - '0') <= 9;

    /// <summary>
    /// How many of the eight bytes (read little-endian, so the first byte is the lowest) are ASCII digits before the
    /// first one that is not. A byte below '0' sets its top bit when 0x30 is taken away, one above '9' when 0x46 is
    /// added; digits do neither and, having no carry or borrow, leave the bytes above them alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LeadingDigitCount(ulong v)
    {
        var notDigits = ((v + 0x4646_4646_4646_4646UL) | (v - 0x3030_3030_3030_3030UL)) & 0x8080_8080_8080_8080UL;
        return notDigits == 0 ? 8 : BitOperations.TrailingZeroCount(notDigits) >> 3;
    }

    /// <summary>The value of the first <paramref name="count"/> (0 to 8) bytes, all ASCII digits, of eight read little-endian.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LeadingDigitsValue(ulong v, int count)
    {
        // Digit values, shifted so that the bytes after the digits fall off the top and zeros (leading zeros) come in
        // below; in two halves, because one shift by 64 (count 0) would shift by nothing.
        var half = 4 * (8 - count);
        v = (v - 0x3030_3030_3030_3030UL) << half << half;
        // Pairs, then quadruples, then all eight: 100 + (1000000 << 32) and 1 + (10000 << 32) do two steps in one multiply.
        v = v * 10 + (v >> 8);
        v = ((v & 0x0000_00FF_0000_00FFUL) * 0x000F_4240_0000_0064UL + ((v >> 16) & 0x0000_00FF_0000_00FFUL) * 0x0000_2710_0000_0001UL) >> 32;
        return (uint)v;
    }
}
