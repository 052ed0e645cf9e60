using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Protocol;

/// <summary>
/// Edge cases of the float scanner's digit-run path (up to sixteen digits read at once where the body has room after
/// the number, digit by digit near its end) and of the request reader around scanned data: every number must come out
/// bit for bit as the token reader reads it, and every error as the general path words it.
/// </summary>
public sealed class JsonFloatScannerEdgeCaseTests : IClassFixture<InferRequestReaderTests.MultiIoModel>
{
    private const string Rest = """{"name":"b","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"name":"count","shape":[1,1],"datatype":"INT32","data":[1]}""";
    private readonly OnnxModel _model;

    public JsonFloatScannerEdgeCaseTests(InferRequestReaderTests.MultiIoModel fixture) => _model = fixture.Model;

    /// <summary>Digit runs of every length around the 8- and 16-byte steps, in the integer part, the fraction and both, with exponents.</summary>
    private static IEnumerable<string> DigitRunTexts()
    {
        const string digits = "918273645546372819091827364554637281";
        for (var k = 1; k <= 24; k++)
        {
            var run = digits[..k];
            yield return run;
            yield return "0." + run;
            yield return "0.000" + run;
            yield return "7." + run;
            yield return run + "." + run;
            yield return "-" + run + "e-7";
            yield return "0." + run + "E+12";
            yield return run[..(k / 2 + 1)] + "." + run + "e3";
            yield return "1" + new string('0', k);
            yield return "0." + new string('0', k) + "1";
        }
    }

    private static IEnumerable<string> AllTexts() => JsonFloatFastPathTests.NumberTexts().Concat(DigitRunTexts());

    [Fact]
    public void Scanner_ReadsEveryFloat_BitForBit_BothWithRoomAfterIt_AndAtTheEndOfTheBody()
    {
        foreach (var text in AllTexts())
        {
            var expected = JsonFloatFastPathTests.ByTokenReader<float, SingleReader>(text);
            // The first number has a long array after it (the multi-digit step), the second ends the body (digit by digit).
            var json = Encoding.UTF8.GetBytes($"[{text}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,{text}]");
            var dest = new float[20];
            if (JsonNumberArrayScanner.Scan<float, FastSingle>(json, dest, "x", [20]) < 0) continue;
            Assert.True(expected.Ok, $"the fast path accepted {text}, which the token reader refuses");
            Assert.True(BitConverter.SingleToInt32Bits(expected.Value) == BitConverter.SingleToInt32Bits(dest[0]), $"{text}: fast path gave {dest[0]:R}, token reader {expected.Value:R}");
            Assert.True(BitConverter.SingleToInt32Bits(expected.Value) == BitConverter.SingleToInt32Bits(dest[19]), $"{text} at the end: fast path gave {dest[19]:R}, token reader {expected.Value:R}");
        }
    }

    [Fact]
    public void Scanner_ReadsEveryDouble_BitForBit_BothWithRoomAfterIt_AndAtTheEndOfTheBody()
    {
        foreach (var text in AllTexts())
        {
            var expected = JsonFloatFastPathTests.ByTokenReader<double, DoubleReader>(text);
            var json = Encoding.UTF8.GetBytes($"[{text}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,{text}]");
            var dest = new double[20];
            if (JsonNumberArrayScanner.Scan<double, FastDouble>(json, dest, "x", [20]) < 0) continue;
            Assert.True(expected.Ok, $"the fast path accepted {text}, which the token reader refuses");
            Assert.True(BitConverter.DoubleToInt64Bits(expected.Value) == BitConverter.DoubleToInt64Bits(dest[0]), $"{text}: fast path gave {dest[0]:R}, token reader {expected.Value:R}");
            Assert.True(BitConverter.DoubleToInt64Bits(expected.Value) == BitConverter.DoubleToInt64Bits(dest[19]), $"{text} at the end: fast path gave {dest[19]:R}, token reader {expected.Value:R}");
        }
    }

    [Theory]
    [InlineData("123456789012345")]
    [InlineData("0.123456789012345")]
    [InlineData("1234567.12345678")]
    [InlineData("-0.000012345678901234")]
    [InlineData("98765.4321e-17")]
    [InlineData("1e22")]
    public void Scanner_TakesTheFastPath_ForUpToFifteenSignificantDigits(string text)
    {
        var json = Encoding.UTF8.GetBytes($"[{text}, {text}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]");
        var dest = new double[19];

        Assert.Equal(json.Length, JsonNumberArrayScanner.Scan<double, FastDouble>(json, dest, "x", [19]));

        Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), dest[0]);
    }

    [Fact]
    public void Scanner_KeepsTheSignOfNegativeZero()
    {
        var json = Encoding.UTF8.GetBytes("[-0, -0.0, -0e5, -0.000E-3, 0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]");
        var dest = new float[21];

        Assert.Equal(json.Length, JsonNumberArrayScanner.Scan<float, FastSingle>(json, dest, "x", [21]));

        Assert.All(dest[..4], v => Assert.True(float.IsNegative(v) && v == 0, $"{v:R} is not -0"));
        Assert.All(dest[4..], v => Assert.True(!float.IsNegative(v) && v == 0, $"{v:R} is not +0"));
    }

    [Theory]
    [InlineData("[1e39,2,3]", "input 'a': element 0 is not a valid FP32 value")]
    [InlineData("[1,-3.5e38,3]", "input 'a': element 1 is not a valid FP32 value")]
    [InlineData("[1,2,NaN]", "malformed JSON")]
    [InlineData("[1,2,Infinity]", "malformed JSON")]
    public void OverflowingAndBareNonFiniteNumbers_AreRefused_AsTheGeneralReaderRefusesThem(string data, string error)
    {
        var e = Assert.Throws<ProtocolException>(() => Read($$"""{"name":"a","shape":[1,3],"datatype":"FP32","data":{{data}}}"""));

        Assert.StartsWith(error, e.Message);
    }

    [Fact]
    public void NonFiniteValuesAsStrings_AreAccepted_AsTheGeneralReaderAcceptsThem()
    {
        using var request = Read("""{"name":"a","shape":[1,3],"datatype":"FP32","data":["NaN","Infinity","-Infinity"]}""");

        Assert.Equal([float.NaN, float.PositiveInfinity, float.NegativeInfinity], MemoryMarshal.Cast<byte, float>(request.Inputs[0].Bytes).ToArray());
    }

    [Fact]
    public void HugeData_FlatNestedAndSpaced_DecodesToTheSameValues()
    {
        const int rows = 60_000;
        var random = new Random(3_48_192);
        var values = Enumerable.Range(0, rows * 3).Select(_ => (float)((random.NextDouble() - 0.5) * 1e4)).ToArray();
        string Text(float v) => v.ToString(CultureInfo.InvariantCulture);
        var flat = "[" + string.Join(",", values.Select(Text)) + "]";
        var nested = "[" + string.Join(",", values.Chunk(3).Select(row => "[" + string.Join(",", row.Select(Text)) + "]")) + "]";
        var spaced = "[\n" + string.Join(",\n", values.Chunk(3).Select(row => "  [ " + string.Join(" ,\t", row.Select(Text)) + " ]")) + "\r\n]";

        foreach (var data in new[] { flat, nested, spaced })
        {
            using var request = Read($$"""{"name":"a","shape":[{{rows}},3],"datatype":"FP32","data":{{data}}}""");
            Assert.Equal(values, MemoryMarshal.Cast<byte, float>(request.Inputs[0].Bytes).ToArray());
        }
    }

    [Theory]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1.5,2,-3e-2]}," + Rest + "],\"outputs\":[,{\"name\":\"sum\"}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1.5,\n2,\n   -3e-2]}," + Rest + "],\"outputs\":[,{\"name\":\"sum\"}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1.5,2,-3e-2]}," + Rest + "]} x")]
    public void AnErrorAfterScannedData_NamesItsExactLineAndPosition(string body)
    {
        var flaw = body.IndexOf("[,", StringComparison.Ordinal) is var at and >= 0 ? at + 1 : body.LastIndexOf('x');
        var line = body[..flaw].Count(c => c == '\n');
        var position = flaw - (body.LastIndexOf('\n', flaw) + 1);

        var e = Assert.Throws<ProtocolException>(() => InferRequestReader.Read(Encoding.UTF8.GetBytes(body), [], _model));

        Assert.StartsWith("malformed JSON", e.Message);
        Assert.Contains($"LineNumber: {line} | BytePositionInLine: {position}.", e.Message);
    }

    private InferRequest Read(string a) => InferRequestReader.Read(Encoding.UTF8.GetBytes($$"""{"inputs":[{{a}},{{Rest}}]}"""), [], _model);
}
