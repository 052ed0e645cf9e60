using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// The common shape of a JSON number in tensor data, <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c>, split into the parts of
/// <see cref="JsonNumberParts"/> with no branch per digit. Up to fifteen digits with the terminator within sixteen bytes
/// (every shortest float32, such as <c>0.66810644</c>) take one 16-byte load: two masks find the digit runs and the
/// point, two shuffles drop the point and right-align the digits, and three multiply-adds turn them into an integer
/// (the SSE method of simdjson). Longer ones up to 32 bytes (Python's seventeen-digit form) take two loads and convert
/// the integer and fraction digits apart. Anything else (an exponent, more digits, the end of the body near, a
/// malformed number) is declined with nothing moved, and <see cref="JsonNumberParts"/>, which decides every case, reads it.
/// </summary>
internal static class JsonNumberVectorParts
{
    /// <summary>How many bytes from a number's start one parse reads.</summary>
    public const int Width = 16;

    /// <summary>False where the instructions are missing (Arm, old x86): every number then takes the scalar parser.</summary>
    public static bool IsSupported => Ssse3.IsSupported && Sse41.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<byte> s, int i, out int length, out ulong mantissa, out int exponent, out bool negative)
    {
        length = 0;
        mantissa = 0;
        exponent = 0;
        negative = false;
        if (!IsSupported || (uint)i > (uint)(s.Length - Width)) return false;
        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);
        var v = Vector128.LoadUnsafe(ref at);
        // A stop bit past the window ends any run that fills it.
        var nonDigits = ~DigitBits(v) | (1u << Width);
        var points = PointBits(v);
        var start = at == (byte)'-' ? 1 : 0;
        var intEnd = BitOperations.TrailingZeroCount(nonDigits >> start) + start;
        var intLength = intEnd - start;
        var end = intEnd;
        var point = Width;
        if (((points >> intEnd) & 1) != 0)
        {
            point = intEnd;
            end = BitOperations.TrailingZeroCount(nonDigits >> (intEnd + 1)) + intEnd + 1;
        }
        if (intLength == 0) return false;
        // The number, or the byte after it, is past the window.
        if (end >= Width)
        {
            // Through a value, not the caller's variables by reference, which would keep them out of registers.
            var parts = ParseLong(s, i);
            (length, mantissa, exponent, negative) = (parts.Length, parts.Mantissa, parts.Exponent, parts.Negative);
            return parts.Length != 0;
        }
        // A point needs digits after it, a leading zero may not be followed by more integer digits, and only whitespace,
        // a comma or a bracket may follow.
        if (end == point + 1 || (intLength > 1 && Unsafe.Add(ref at, start) == (byte)'0') || !JsonNumberParts.EndsNumber(Unsafe.Add(ref at, end))) return false;
        var fractionLength = point == Width ? 0 : end - point - 1;
        var count = intLength + fractionLength;

        // Drop the point: byte j comes from j + 1 from the point on (there is no point at 16, so nothing moves).
        var compact = Ssse3.Shuffle(v, Index - Vector128.GreaterThanOrEqual(Index, Vector128.Create((byte)point)));
        mantissa = RightAlignedValue(compact, start, count);
        exponent = -fractionLength;
        negative = start == 1;
        length = end;
        return true;
    }

    /// <summary>
    /// Numbers of seventeen to 32 bytes, such as the shortest doubles Python writes for float32 values
    /// (<c>0.028347477316856384</c>): up to sixteen integer digits, and nineteen significant digits in all.
    /// </summary>
    /// <returns>The parts, with length 0 when declined.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Parts ParseLong(ReadOnlySpan<byte> s, int i)
    {
        if ((uint)i > (uint)(s.Length - 2 * Width)) return default;
        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);
        var low = Vector128.LoadUnsafe(ref at);
        var high = Vector128.LoadUnsafe(ref at, Width);
        var nonDigits = ~((ulong)DigitBits(high) << Width | DigitBits(low)) & 0xFFFF_FFFFUL | (1UL << (2 * Width));
        var points = (ulong)PointBits(high) << Width | PointBits(low);
        var start = at == (byte)'-' ? 1 : 0;
        var intEnd = BitOperations.TrailingZeroCount(nonDigits >> start) + start;
        var intLength = intEnd - start;
        var end = intEnd;
        if (((points >> intEnd) & 1) != 0)
        {
            end = BitOperations.TrailingZeroCount(nonDigits >> (intEnd + 1)) + intEnd + 1;
            if (end == intEnd + 1) return default;
        }
        var fractionLength = end == intEnd ? 0 : end - intEnd - 1;
        // The integer digits must be in the first window and the fraction's last sixteen in the last sixteen bytes before
        // the terminator; a leading zero may not be followed by more integer digits, and only whitespace, a comma or a
        // bracket may follow.
        if (intLength == 0 || intEnd > Width || end < Width || end >= 2 * Width
            || (intLength > 1 && Unsafe.Add(ref at, start) == (byte)'0') || !JsonNumberParts.EndsNumber(Unsafe.Add(ref at, end)))
            return default;
        // Nineteen significant digits fit in 64 bits; zeros leading the fraction of a number below one
        // (0.00032169625046662986) are not significant.
        var belowOne = Unsafe.Add(ref at, start) == (byte)'0';
        var significant = belowOne
            ? fractionLength - BitOperations.TrailingZeroCount(~((ulong)ZeroBits(high) << Width | ZeroBits(low)) >> (intEnd + 1))
            : intLength + fractionLength;
        if (significant > JsonNumberParts.MaxDigits) return default;
        var lastCount = Math.Min(fractionLength, Width);
        var last = Vector128.LoadUnsafe(ref at, (nuint)(end - Width));
        var fraction = RightAlignedValue(last & Vector128.GreaterThanOrEqual(Index, Vector128.Create((byte)(Width - lastCount))), 0, Width);
        // Any fraction digits before those (at most three significant ones).
        for (var d = Math.Max(intEnd + 1, end - JsonNumberParts.MaxDigits); d < end - Width; d++)
            fraction += (ulong)(Unsafe.Add(ref at, d) - '0') * JsonNumberParts.PowersOfTen[end - d - 1];
        return new Parts(end, belowOne ? fraction : RightAlignedValue(low, start, intLength) * JsonNumberParts.PowersOfTen[fractionLength] + fraction,
            -fractionLength, start == 1);
    }

    private readonly record struct Parts(int Length, ulong Mantissa, int Exponent, bool Negative);

    private static Vector128<byte> Index => Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint DigitBits(Vector128<byte> v) =>
        Vector128.ExtractMostSignificantBits(Vector128.LessThanOrEqual(v - Vector128.Create((byte)'0'), Vector128.Create((byte)9)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ZeroBits(Vector128<byte> v) => Vector128.ExtractMostSignificantBits(Vector128.Equals(v, Vector128.Create((byte)'0')));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint PointBits(Vector128<byte> v) => Vector128.ExtractMostSignificantBits(Vector128.Equals(v, Vector128.Create((byte)'.')));

    /// <summary>
    /// The value of the <paramref name="count"/> (up to sixteen) ASCII digits at <paramref name="start"/> of
    /// <paramref name="v"/>: they are moved to its right end, with zeros before them, and multiplied out pairwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RightAlignedValue(Vector128<byte> v, int start, int count)
    {
        // Byte j comes from j - (16 - count) + start. Indices below zero wrap past 127, which the shuffle turns into
        // zeros; at most one byte lands on index zero before the digits (a minus sign), and the saturating subtraction
        // turns it into a zero, as it does every byte below '0'.
        var aligned = Ssse3.Shuffle(v, Index + Vector128.Create((byte)(start + count - Width)));
        var values = Sse2.SubtractSaturate(aligned, Vector128.Create((byte)'0'));
        var pairs = Ssse3.MultiplyAddAdjacent(values, Vector128.Create((sbyte)10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1));
        var fours = Sse2.MultiplyAddAdjacent(pairs, Vector128.Create((short)100, 1, 100, 1, 100, 1, 100, 1));
        var packed = Sse41.PackUnsignedSaturate(fours, fours).AsInt16();
        var eights = Sse2.MultiplyAddAdjacent(packed, Vector128.Create((short)10000, 1, 10000, 1, 10000, 1, 10000, 1));
        return (ulong)(uint)eights.GetElement(0) * 100_000_000UL + (uint)eights.GetElement(1);
    }
}
