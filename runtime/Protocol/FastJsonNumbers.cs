using System.Runtime.CompilerServices;
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
    private static ReadOnlySpan<double> PowersOfTen =>
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFromParts(ulong mantissa, int exponent, bool negative, out double value)
    {
        value = 0;
        if (mantissa > (1UL << 53) || exponent < -22 || exponent > 22) return false;
        // Through long: at most 2^53 here, and a signed conversion is one instruction where an unsigned one is several.
        var d = Scale((long)mantissa, exponent);
        value = negative ? -d : d;
        return true;
    }

    /// <summary><paramref name="d"/> times ten to the <paramref name="exponent"/> (-22 to 22), in one IEEE operation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Scale(double d, int exponent) => exponent < 0 ? d / PowersOfTen[-exponent] : d * PowersOfTen[exponent];
}

/// <summary>
/// The correctly rounded double rounded again to float32. That second rounding can only differ from rounding the decimal
/// directly when the double lands exactly halfway between two floats (any float midpoint nearer the decimal would itself
/// be a nearer double), so those rare ties go to the general reader.
/// Mantissas past 2^53 (the 17 digits Python writes for a float32 value: <c>0.6681064367294312</c>) cannot be made a
/// double exactly, but two roundings leave the double within two units of its last place of the decimal; float32 keeps 29
/// fewer bits, so unless those bits are within a few units of a float midpoint, no midpoint lies between the double and the
/// decimal and both round to the same float. The rare few near one go to the general reader.
/// </summary>
internal struct FastSingle : IFastNumber<float>
{
    // Float32 drops the low 29 bits of a double's fraction; the midpoint between two floats is 1 followed by 28 zeros there.
    private const ulong DroppedBits = 0x1FFF_FFFFUL, Midpoint = 0x1000_0000UL;

    // Twice the error bound, in units of the double's last place.
    private const ulong NearMidpoint = 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFromParts(ulong mantissa, int exponent, bool negative, out float value)
    {
        value = 0;
        if (mantissa <= (1UL << 53))
        {
            if (!FastDouble.TryFromParts(mantissa, exponent, negative, out var exact)) return false;
            if ((BitConverter.DoubleToUInt64Bits(exact) & DroppedBits) == Midpoint) return false;
            value = (float)exact;
            return true;
        }
        return TryFromLongMantissa(mantissa, exponent, negative, out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryFromLongMantissa(ulong mantissa, int exponent, bool negative, out float value)
    {
        value = 0;
        // At least 2^53 times 10^-22 here, far above float32's subnormals; large ones are left to the general reader.
        if (exponent < -22 || exponent > 22) return false;
        var near = FastDouble.Scale(mantissa, exponent);
        if ((BitConverter.DoubleToUInt64Bits(near) & DroppedBits) - (Midpoint - NearMidpoint) <= 2 * NearMidpoint || near > 1e38) return false;
        value = negative ? -(float)near : (float)near;
        return true;
    }
}
