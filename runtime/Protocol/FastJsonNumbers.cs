using System.Text.Json;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Turns one JSON number, given as the parts a scanner found (up to 19 significant decimal digits, a decimal exponent and
/// a sign), into <typeparamref name="T"/> exactly as <see cref="IElementReader{T}"/> would; false when only the general
/// reader can decide (more digits, an exponent out of the exact range, a tie).
/// </summary>
internal interface IFastNumber<T>
{
    static abstract bool TryFromParts(ulong mantissa, int exponent, bool negative, out T value);
}

/// <summary>
/// Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22 are both exact doubles, so one IEEE
/// multiplication or division rounds the decimal correctly, as the framework's parser does.
/// </summary>
internal struct FastDouble : IFastNumber<double>
{
    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    public static bool TryFromParts(ulong mantissa, int exponent, bool negative, out double value)
    {
        value = 0;
        if (mantissa > (1UL << 53) || exponent < -22 || exponent > 22) return false;
        // Through long: at most 2^53 here, and a signed conversion is one instruction where an unsigned one is several.
        double d = (long)mantissa;
        if (mantissa != 0) d = exponent < 0 ? d / PowersOfTen[-exponent] : d * PowersOfTen[exponent];
        value = negative ? -d : d;
        return true;
    }
}

/// <summary>
/// The correctly rounded double rounded again to float32. That second rounding can only differ from rounding the decimal
/// directly when the double lands exactly halfway between two floats (any float midpoint nearer the decimal would itself
/// be a nearer double), so those rare ties go to the general reader.
/// </summary>
internal struct FastSingle : IFastNumber<float>
{
    public static bool TryFromParts(ulong mantissa, int exponent, bool negative, out float value)
    {
        value = 0;
        if (!FastDouble.TryFromParts(mantissa, exponent, negative, out var d)) return false;
        // The 29 low bits of the double's fraction are what float32 drops; exactly 1 followed by zeros is a tie.
        if ((BitConverter.DoubleToUInt64Bits(d) & 0x1FFF_FFFFUL) == 0x1000_0000UL) return false;
        value = (float)d;
        return true;
    }
}
