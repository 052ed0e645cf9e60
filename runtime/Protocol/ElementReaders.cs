using System.Globalization;
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

    // A number token has no escapes: its raw text is the number.
    private static ReadOnlySpan<byte> Text(ref Utf8JsonReader r) => r.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(r.ValueSequence) : r.ValueSpan;
}

/// <summary>bfloat16 is the top half of a float32, rounded to nearest even.</summary>
internal struct BFloat16Reader : IElementReader<ushort>
{
    public static bool TryRead(ref Utf8JsonReader r, out ushort v)
    {
        var ok = SingleReader.TryRead(ref r, out var f);
        v = FromSingle(f);
        return ok && (float.IsFinite(ToSingle(v)) || !float.IsFinite(f));
    }

    public static ushort FromSingle(float f)
    {
        if (float.IsNaN(f)) return 0x7FC0;
        var bits = BitConverter.SingleToUInt32Bits(f);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
