using System.Globalization;
using System.Text;
using ModelOperator.Runtime.Protocol;
using Xunit;

namespace ModelOperator.Runtime.Tests.Protocol;

/// <summary>
/// The vector number splitter must give exactly the parts the scalar parser gives wherever it accepts a number, accept the
/// numbers clients actually write, and leave everything else to the scalar parser; and the scanner, which parses runs
/// of numbers between the commas it finds 64 bytes at a time, must read long runs of any mix of forms bit for bit.
/// </summary>
public sealed class JsonNumberVectorPartsTests
{
    private static readonly string[] Followers = [",", "]", " ", "\n", ",0,1,2", "e5", "E-3", "x", ".", "0", "-"];

    private static IEnumerable<string> Texts() => JsonFloatFastPathTests.NumberTexts()
        .Concat(["0", "-0", "7", "00", "01", "-01", "1.", "-.5", ".5", "+1", "-", "1.2.3", "0.0000000000000000001", "12345678901234567890",
            "1234567890123456", "-123456789012345", "0.123456789012345678", "0.1234567890123456789", "9999999999999999999", "1.000000000000000000"]);

    [Fact]
    public void VectorParts_GiveTheScalarParsersParts_ForEveryNumberTheyAccept()
    {
        var accepted = 0;
        foreach (var text in Texts())
            foreach (var follower in Followers)
            {
                // Padding, so the vector splitter has its 32 bytes after every number.
                var bytes = Encoding.ASCII.GetBytes(text + follower + new string(' ', 40));
                if (!JsonNumberVectorParts.TryParse(bytes, 0, out var length, out var mantissa, out var exponent, out var negative)) continue;
                accepted++;
                var i = 0;
                Assert.True(JsonNumberParts.TryParse(bytes, ref i, out var m, out var e, out var n), $"vector parts accepted '{text}{follower}', the scalar parser refuses it");
                Assert.Equal((i, m, e, n), (length, mantissa, exponent, negative));
            }
        // Without SSSE3 and SSE4.1 (Arm, old x86) every number takes the scalar parser.
        if (JsonNumberVectorParts.IsSupported) Assert.True(accepted > 100_000, $"only {accepted} numbers took the vector path");
        else Assert.Equal(0, accepted);
    }

    [Fact]
    public void VectorParts_AcceptTheNumbersClientsWrite()
    {
        var random = new Random(224);
        for (var k = 0; k < 20_000; k++)
        {
            var f = (float)((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-3, 4)));
            // Shortest float32 (.NET, Java, JavaScript's Float32Array), shortest double of the float32 (Python), 0-255 pixels.
            foreach (var text in new[] { f.ToString("R", CultureInfo.InvariantCulture), ((double)f).ToString("R", CultureInfo.InvariantCulture), random.Next(256).ToString(CultureInfo.InvariantCulture) })
            {
                if (text.Contains('E')) continue;
                var bytes = Encoding.ASCII.GetBytes(text + "," + new string('0', 40));
                var taken = JsonNumberVectorParts.TryParse(bytes, 0, out var length, out _, out _, out _);
                Assert.True(taken == JsonNumberVectorParts.IsSupported, $"'{text}': vector path taken {taken}, instructions there {JsonNumberVectorParts.IsSupported}");
                if (taken) Assert.Equal(text.Length, length);
            }
        }
    }

    [Fact]
    public void Scanner_ReadsLongRunsOfMixedForms_BitForBit_AsTheTokenReader()
    {
        var random = new Random(3_48);
        var texts = JsonFloatFastPathTests.NumberTexts().Where(t => JsonFloatFastPathTests.ByTokenReader<float, SingleReader>(t).Ok
                                       && JsonFloatFastPathTests.ByTokenReader<double, DoubleReader>(t).Ok).ToArray();
        for (var round = 0; round < 200; round++)
        {
            var picked = Enumerable.Range(0, random.Next(1, 400)).Select(_ => texts[random.Next(texts.Length)]).ToArray();
            // Mostly bare commas, as clients write; now and then whitespace, which ends a run.
            var json = new StringBuilder("[");
            for (var k = 0; k < picked.Length; k++)
                json.Append(k == 0 ? "" : random.Next(40) == 0 ? " , " : ",").Append(picked[k]);
            var bytes = Encoding.ASCII.GetBytes(json.Append("]}").ToString());
            var floats = new float[picked.Length];
            var doubles = new double[picked.Length];

            var floatLength = JsonNumberArrayScanner.Scan<float, FastSingle>(bytes, floats, "x", [picked.Length]);
            var doubleLength = JsonNumberArrayScanner.Scan<double, FastDouble>(bytes, doubles, "x", [picked.Length]);

            if (floatLength >= 0)
            {
                Assert.Equal(bytes.Length - 1, floatLength);
                for (var k = 0; k < picked.Length; k++)
                    Assert.True(BitConverter.SingleToInt32Bits(JsonFloatFastPathTests.ByTokenReader<float, SingleReader>(picked[k]).Value) == BitConverter.SingleToInt32Bits(floats[k]),
                        $"element {k}, '{picked[k]}': scanner gave {floats[k]:R}");
            }
            if (doubleLength >= 0)
            {
                Assert.Equal(bytes.Length - 1, doubleLength);
                for (var k = 0; k < picked.Length; k++)
                    Assert.True(BitConverter.DoubleToInt64Bits(JsonFloatFastPathTests.ByTokenReader<double, DoubleReader>(picked[k]).Value) == BitConverter.DoubleToInt64Bits(doubles[k]),
                        $"element {k}, '{picked[k]}': scanner gave {doubles[k]:R}");
            }
        }
    }

    [Fact]
    public void Scanner_ReadsLongNestedData_WhereRunsEndAtBrackets()
    {
        var random = new Random(4);
        var values = Enumerable.Range(0, 3 * 50 * 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        string Row(int r) => "[" + string.Join(",", values.Skip(r * 4).Take(4).Select(v => ((double)v).ToString("R", CultureInfo.InvariantCulture))) + "]";
        string Plane(int p) => "[" + string.Join(",", Enumerable.Range(p * 50, 50).Select(Row)) + "]";
        var json = Encoding.ASCII.GetBytes("[" + string.Join(",", Enumerable.Range(0, 3).Select(Plane)) + "]}");
        var dest = new float[values.Length];

        Assert.Equal(json.Length - 1, JsonNumberArrayScanner.Scan<float, FastSingle>(json, dest, "x", [3, 50, 4]));

        Assert.Equal(values, dest);
    }

    [Fact]
    public void Scanner_RoundsNineteenDigitDecimals_NearAFloatMidpoint_AsTheTokenReader()
    {
        var random = new Random(1_9);
        var (near, far) = (0, 0);
        for (var k = 0; k < 5_000; k++)
        {
            // Halfway between a float in [1, 10) and the next: exactly a double, written out exactly, then cut to nineteen
            // significant digits (a hair below), one unit of the last digit more (a hair above), and a millionth of a
            // float step either side (still nineteen digits, but clear of the midpoint for a double).
            var f = 1 + (float)random.NextDouble() * 9;
            var midpoint = ((double)f + MathF.BitIncrement(f)) / 2;
            var below = decimal.Parse(midpoint.ToString("F18", CultureInfo.InvariantCulture)[..20], CultureInfo.InvariantCulture);
            const decimal hair = 0.000_000_000_000_000_001m, clear = 0.000_000_000_001m;
            foreach (var (value, isNear) in new[] { (below, true), (below + hair, true), (below - clear, false), (below + clear, false) })
            {
                var text = value.ToString("F18", CultureInfo.InvariantCulture);
                var json = Encoding.ASCII.GetBytes($"[{string.Join(",", Enumerable.Repeat(text, 8))}]}}");
                var dest = new float[8];
                if (JsonNumberArrayScanner.Scan<float, FastSingle>(json, dest, "x", [8]) < 0) continue;
                if (isNear) near++;
                else far++;
                var expected = BitConverter.SingleToInt32Bits(JsonFloatFastPathTests.ByTokenReader<float, SingleReader>(text).Value);
                Assert.All(dest, d => Assert.True(expected == BitConverter.SingleToInt32Bits(d), $"{text}: scanner gave {d:R}"));
            }
        }
        // Within a double's reach of a midpoint, which way the decimal rounds is left to the general reader; clear of it,
        // the scanner decides (and above, decided right).
        Assert.Equal(0, near);
        Assert.Equal(10_000, far);
    }

    [Theory]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("+1")]
    [InlineData("1e")]
    [InlineData("-")]
    [InlineData("0.5.5")]
    [InlineData("1,,2")]
    [InlineData("1 2")]
    [InlineData("1,]")]
    [InlineData("true")]
    [InlineData("\"0.5\"")]
    [InlineData("0x10")]
    [InlineData("1e5e5")]
    [InlineData("0.12345678901234567890123")]
    public void Scanner_DeclinesAMalformedNumber_InTheMiddleOfALongRun(string bad)
    {
        var good = string.Join(",", Enumerable.Range(0, 40).Select(k => (k * 0.37f).ToString("R", CultureInfo.InvariantCulture)));
        var data = $"[{good},{bad},{good}]";
        var count = 81 + (bad.Contains(",,") || bad.Contains(' ') ? 1 : 0);

        Assert.Equal(-1, JsonNumberArrayScanner.Scan<float, FastSingle>(Encoding.ASCII.GetBytes(data + "}"), new float[count], "x", [count]));
    }
}
