using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
            else if (expectValue && StartsNumber(c))
            {
                var first = n;
                i = ScanRun<T, TFast>(s, i, dest, ref n);
                if (i < 0) return -1;
                var run = n - first;
                nesting.Elements(depth, run);
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
    /// Parses the run of numbers separated by bare commas at <paramref name="i"/>, as clients write them, into
    /// <paramref name="dest"/> from <paramref name="n"/> on. Where the processor allows, the commas in the next 64 bytes
    /// are found at once, so each number there is parsed knowing where it must end, independently of the one before it
    /// (instead of each start waiting for the previous number's end), and one that does not end at its comma, or that
    /// only the scalar parser reads, goes the one-number-at-a-time way.
    /// </summary>
    /// <returns>Where the run ends, or -1.</returns>
    // Never inlined into its caller, whose tiered recompilation then ran out of inlining budget for the number parsers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static int ScanRun<T, TFast>(ReadOnlySpan<byte> s, int i, Span<T> dest, ref int n) where TFast : IFastNumber<T>
    {
        var k = n;
        while (true)
        {
            if (JsonNumberVectorParts.IsSupported && i <= s.Length - CommaBlock - JsonNumberVectorParts.Width)
            {
                var commas = CommasAt(s, i);
                var p = i;
                while (commas != 0)
                {
                    var comma = i + BitOperations.TrailingZeroCount(commas);
                    commas &= commas - 1;
                    if ((uint)k >= (uint)dest.Length
                        || !JsonNumberVectorParts.TryParse(s, p, out var length, out var mantissa, out var exponent, out var negative)
                        || p + length != comma
                        || !TFast.TryFromParts(mantissa, exponent, negative, out dest[k]))
                        break;
                    k++;
                    p = comma + 1;
                }
                if (p != i)
                {
                    // Just past a comma: the run goes on only with another number.
                    if (!StartsNumber(s[p]))
                    {
                        n = k;
                        return p - 1;
                    }
                    i = p;
                    continue;
                }
            }
            if ((uint)k >= (uint)dest.Length) return -1;
            i = ParseNumber<T, TFast>(s, i, ref dest[k]);
            if (i < 0) return -1;
            k++;
            if (i + 1 >= s.Length || s[i] != (byte)',' || !StartsNumber(s[i + 1])) break;
            i++;
        }
        n = k;
        return i;
    }

    private const int CommaBlock = 64;

    private static bool StartsNumber(byte c) => c == (byte)'-' || (uint)(c - '0') <= 9;

    /// <summary>Bit b set where <c>s[i + b]</c> is a comma, for the 64 bytes from <paramref name="i"/> (which the caller has checked are there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong CommasAt(ReadOnlySpan<byte> s, int i)
    {
        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);
        if (Vector512.IsHardwareAccelerated)
            return Vector512.Equals(Vector512.LoadUnsafe(ref at), Vector512.Create((byte)',')).ExtractMostSignificantBits();
        var comma = Vector128.Create((byte)',');
        return Vector128.Equals(Vector128.LoadUnsafe(ref at), comma).ExtractMostSignificantBits()
            | (ulong)Vector128.Equals(Vector128.LoadUnsafe(ref at, 16), comma).ExtractMostSignificantBits() << 16
            | (ulong)Vector128.Equals(Vector128.LoadUnsafe(ref at, 32), comma).ExtractMostSignificantBits() << 32
            | (ulong)Vector128.Equals(Vector128.LoadUnsafe(ref at, 48), comma).ExtractMostSignificantBits() << 48;
    }

    /// <returns>Where the number at <paramref name="i"/> ends, having written it to <paramref name="value"/>; -1 when only the general reader can read it.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ParseNumber<T, TFast>(ReadOnlySpan<byte> s, int i, ref T value) where TFast : IFastNumber<T>
    {
        if (JsonNumberVectorParts.TryParse(s, i, out var length, out var mantissa, out var exponent, out var negative)
            && TFast.TryFromParts(mantissa, exponent, negative, out value))
            return i + length;
        return ParseNumberScalar<T, TFast>(s, i, ref value);
    }

    // Out of line, so that the hot loop's position and parts stay in registers rather than being passed by reference.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ParseNumberScalar<T, TFast>(ReadOnlySpan<byte> s, int i, ref T value) where TFast : IFastNumber<T> =>
        JsonNumberParts.TryParse(s, ref i, out var mantissa, out var exponent, out var negative)
        && TFast.TryFromParts(mantissa, exponent, negative, out value) ? i : -1;
}
