using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace ModelOperator.Runtime.Protocol;

/// <summary>Reads one JSON element of a tensor's <c>data</c> as <typeparamref name="T"/>; false when it is not one.</summary>
internal interface IElementReader<T>
{
    static abstract bool TryRead(ref Utf8JsonReader reader, out T value);
}

internal struct SByteReader : IElementReader<sbyte> { public static bool TryRead(ref Utf8JsonReader r, out sbyte v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetSByte(out v); } }
internal struct Int16Reader : IElementReader<short> { public static bool TryRead(ref Utf8JsonReader r, out short v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetInt16(out v); } }
internal struct Int32Reader : IElementReader<int> { public static bool TryRead(ref Utf8JsonReader r, out int v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetInt32(out v); } }
internal struct Int64Reader : IElementReader<long> { public static bool TryRead(ref Utf8JsonReader r, out long v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetInt64(out v); } }
internal struct ByteReader : IElementReader<byte> { public static bool TryRead(ref Utf8JsonReader r, out byte v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetByte(out v); } }
internal struct UInt16Reader : IElementReader<ushort> { public static bool TryRead(ref Utf8JsonReader r, out ushort v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetUInt16(out v); } }
internal struct UInt32Reader : IElementReader<uint> { public static bool TryRead(ref Utf8JsonReader r, out uint v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetUInt32(out v); } }
internal struct UInt64Reader : IElementReader<ulong> { public static bool TryRead(ref Utf8JsonReader r, out ulong v) { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out v); } }

/// <summary>BOOL accepts true/false and, as many clients send them, the numbers 0 and 1.</summary>
internal struct BoolReader : IElementReader<byte>
{
    public static bool TryRead(ref Utf8JsonReader r, out byte v)
    {
        v = 0;
        switch (r.TokenType)
        {
            case JsonTokenType.True: v = 1; return true;
            case JsonTokenType.False: return true;
            case JsonTokenType.Number when r.TryGetByte(out var b) && b <= 1: v = b; return true;
            default: return false;
        }
    }
}

internal struct DoubleReader : IElementReader<double>
{
    public static bool TryRead(ref Utf8JsonReader r, out double v)
    {
        // A number too large for the datatype is refused, as integers are, rather than becoming an infinity.
        if (r.TokenType == JsonTokenType.Number) return CorrectlyRounded.TryParse(ref r, out v) && double.IsFinite(v);
        v = 0;
        if (r.TokenType != JsonTokenType.String) return false;
        // JSON has no NaN or infinities; they travel as strings, the way the response writes them.
        if (r.ValueTextEquals("NaN")) { v = double.NaN; return true; }
        if (r.ValueTextEquals("Infinity") || r.ValueTextEquals("inf")) { v = double.PositiveInfinity; return true; }
        if (r.ValueTextEquals("-Infinity") || r.ValueTextEquals("-inf")) { v = double.NegativeInfinity; return true; }
        return false;
    }
}

internal struct SingleReader : IElementReader<float>
{
    public static bool TryRead(ref Utf8JsonReader r, out float v)
    {
        if (r.TokenType == JsonTokenType.Number) return CorrectlyRounded.TryParse(ref r, out v) && float.IsFinite(v);
        var ok = DoubleReader.TryRead(ref r, out var d);
        v = (float)d;
        return ok;
    }
}

internal struct HalfReader : IElementReader<Half>
{
    public static bool TryRead(ref Utf8JsonReader r, out Half v)
    {
        // A number straight to FP16: through a double it would be rounded twice, and a tie between two halves that the
        // double created would not go to even as the decimal says.
        if (r.TokenType == JsonTokenType.Number)
            return CorrectlyRounded.TryParse(ref r, out v) && Half.IsFinite(v);
        var ok = DoubleReader.TryRead(ref r, out var d);
        v = (Half)d;
        // 70000 is a finite double but past FP16's largest value (65504): refused, not turned into an infinity.
        return ok && (Half.IsFinite(v) || !double.IsFinite(d));
    }
}

/// <summary>
/// A JSON number as the nearest float or double, ties to even. <see cref="Utf8JsonReader"/>'s own conversion is not
/// correctly rounded past about nineteen significant digits: it counts trailing zeros there as a non-zero tail, so
/// <c>16777217.000000000000</c> became 16777218 as FP32 where the tie goes to even, 16777216. Long numbers go to the
/// framework's <c>float.TryParse</c>, which is correctly rounded; short ones (all digits kept) stay on the reader's.
/// </summary>
internal static class CorrectlyRounded
{
    /// <summary>Texts this long or shorter hold at most sixteen digits, which the reader's conversion keeps whole.</summary>
    private const int ShortText = 16;

    public static bool TryParse(ref Utf8JsonReader r, out double v)
    {
        if (!r.HasValueSequence && r.ValueSpan.Length <= ShortText) return r.TryGetDouble(out v);
        return double.TryParse(Text(ref r), NumberStyles.Float, CultureInfo.InvariantCulture, out v);
    }

    public static bool TryParse(ref Utf8JsonReader r, out float v)
    {
        if (!r.HasValueSequence && r.ValueSpan.Length <= ShortText) return r.TryGetSingle(out v);
        return float.TryParse(Text(ref r), NumberStyles.Float, CultureInfo.InvariantCulture, out v);
    }

    public static bool TryParse(ref Utf8JsonReader r, out Half v) =>
        Half.TryParse(Text(ref r), NumberStyles.Float, CultureInfo.InvariantCulture, out v);

    /// <summary>
    /// The sign of (the number's exact decimal value − <paramref name="d"/>), for the rare number whose correctly rounded
    /// double sits exactly on a rounding midpoint of a narrower type. A finite double's exact decimal expansion has at
    /// most 767 significant digits, so the number's first 800 decide, and any non-zero digit past them only adds a tail.
    /// </summary>
    public static int CompareWithText(ref Utf8JsonReader r, double d)
    {
        var text = Text(ref r);
        var negative = text[0] == (byte)'-';
        var digits = new StringBuilder(64);
        var exponent = 0;
        var tail = false;
        var i = negative ? 1 : 0;
        var fraction = false;
        for (; i < text.Length && (text[i] is >= (byte)'0' and <= (byte)'9' || text[i] == (byte)'.'); i++)
        {
            if (text[i] == (byte)'.') { fraction = true; continue; }
            if (digits.Length == 0 && text[i] == (byte)'0') { if (fraction) exponent--; continue; }
            if (digits.Length < 800) { digits.Append((char)text[i]); if (fraction) exponent--; }
            else { tail |= text[i] != (byte)'0'; if (!fraction) exponent++; }
        }
        if (i < text.Length)
        {
            // An exponent past int cannot put a finite double on a midpoint; were it ever so, call it exact.
            if (!int.TryParse(text[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e) || Math.Abs(e) > 100_000) return 0;
            exponent += e;
        }
        var left = digits.Length == 0 ? BigInteger.Zero : BigInteger.Parse(digits.ToString(), CultureInfo.InvariantCulture);
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(d));
        var biased = (int)(bits >> 52);
        var right = new BigInteger(biased == 0 ? bits & ((1L << 52) - 1) : (bits & ((1L << 52) - 1)) | (1L << 52));
        var binaryExponent = (biased == 0 ? 1 : biased) - 1075;
        if (exponent >= 0) left *= BigInteger.Pow(10, exponent); else right *= BigInteger.Pow(10, -exponent);
        if (binaryExponent >= 0) right <<= binaryExponent; else left <<= -binaryExponent;
        var magnitude = left.CompareTo(right);
        if (magnitude == 0 && tail) magnitude = 1;
        return negative ? -magnitude : magnitude;
    }

    // A number token has no escapes: its raw text is the number.
    private static ReadOnlySpan<byte> Text(ref Utf8JsonReader r) => r.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(r.ValueSequence) : r.ValueSpan;
}

/// <summary>
/// bfloat16 is the top half of a float32, rounded to nearest even. A number is rounded once, from its decimal: through
/// a float32 (or a double) it would be rounded twice, and a value just past a bfloat16 midpoint could land on it and go
/// to even the wrong way.
/// </summary>
internal struct BFloat16Reader : IElementReader<ushort>
{
    public static bool TryRead(ref Utf8JsonReader r, out ushort v)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            v = 0;
            if (!CorrectlyRounded.TryParse(ref r, out double d)) return false;
            v = FromSingle(RoundToOdd(d, IsMidpoint(d) ? CorrectlyRounded.CompareWithText(ref r, d) : 0));
            return float.IsFinite(ToSingle(v));
        }
        var ok = SingleReader.TryRead(ref r, out var f);
        v = FromSingle(f);
        return ok && (float.IsFinite(ToSingle(v)) || !float.IsFinite(f));
    }

    /// <summary>Whether <paramref name="d"/> lies exactly halfway between two bfloat16 values.</summary>
    private static bool IsMidpoint(double d) =>
        (double)(float)d == d && (BitConverter.SingleToUInt32Bits((float)d) & 0xFFFF) == 0x8000;

    /// <summary>
    /// The float32 nearest <paramref name="d"/> toward zero, with its last bit set when inexact ("round to odd"): a
    /// float32 keeps 16 bits more than a bfloat16, so rounding it to nearest even afterwards gives the correctly rounded
    /// bfloat16. <paramref name="tail"/> is the sign of (the decimal − <paramref name="d"/>): what rounding to a double lost.
    /// </summary>
    private static float RoundToOdd(double d, int tail)
    {
        var f = (float)d;
        var bits = BitConverter.SingleToUInt32Bits(f);
        if ((double)f != d)
        {
            if (Math.Abs((double)f) > Math.Abs(d)) bits--;
            bits |= 1;
        }
        else if (tail != 0)
        {
            // d is a float32 (a bfloat16 midpoint); the decimal lies past it, away from zero or toward it.
            if (Math.Sign(tail) != Math.Sign(d)) bits--;
            bits |= 1;
        }
        return BitConverter.UInt32BitsToSingle(bits);
    }

    public static ushort FromSingle(float f)
    {
        if (float.IsNaN(f)) return 0x7FC0;
        var bits = BitConverter.SingleToUInt32Bits(f);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
