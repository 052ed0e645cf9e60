using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;
using Xunit;

namespace ModelOperator.Runtime.Tests.Protocol;

/// <summary>
/// The fast JSON path for float tensors (scanning numbers straight from the body, formatting them straight into the
/// response) must give exactly what the token reader and Utf8JsonWriter give: same bits, same text, same errors.
/// </summary>
public sealed class JsonFloatFastPathTests
{
    /// <summary>Number texts as clients write them: shortest round-trip floats and doubles, fixed decimals, exponents, ties, long mantissas.</summary>
    internal static List<string> NumberTexts()
    {
        var random = new Random(27_648);
        var texts = new List<string> { "0", "-0", "1", "-1", "0.5", "1e5", "1E+5", "1e-5", "-2.5E-3", "0.000123", "16777217", "16777219",
            "16777217.000000001", "9007199254740993", "3.4028235e38", "3.4028236e38", "1e39", "1.17549435E-38", "1e-45", "1e-46", "123456789012345678901234",
            "0.1000000000000000000000000001", "1.00000000000000000000", "4.9406564584124654E-324", "1.7976931348623157E308", "1e22", "1e23", "1e-22", "1e-23" };
        for (var i = 0; i < 20_000; i++)
        {
            var f = BitConverter.Int32BitsToSingle(random.Next());
            if (float.IsFinite(f)) texts.Add((random.Next(2) == 0 ? f : -f).ToString(CultureInfo.InvariantCulture));
            texts.Add(((float)random.NextDouble()).ToString(CultureInfo.InvariantCulture));
            texts.Add((random.NextDouble() * 255).ToString("R", CultureInfo.InvariantCulture));
            texts.Add((random.NextDouble() * 2 - 1).ToString("F" + random.Next(0, 12), CultureInfo.InvariantCulture));
            texts.Add($"{random.Next(1, 99999)}e{random.Next(-30, 30)}");
            // What Python clients send: a float32 value widened to double and written shortest (numpy's tolist, then json).
            texts.Add(((double)(float)(random.NextDouble() * Math.Pow(10, random.Next(-5, 4)) * (random.Next(2) == 0 ? 1 : -1))).ToString("R", CultureInfo.InvariantCulture));
            // Seventeen to nineteen significant digits, past what a double holds exactly.
            texts.Add($"{random.Next(0, 1000)}.{random.NextInt64(1_000_000_000_000_000, long.MaxValue) % (long)Math.Pow(10, random.Next(14, 17)):D14}");
        }
        return texts;
    }

    internal static (bool Ok, T Value) ByTokenReader<T, TReader>(string text) where TReader : IElementReader<T>
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        reader.Read();
        return (TReader.TryRead(ref reader, out var v), v);
    }

    [Fact]
    public void Scanner_ReadsEveryFloat_BitForBit_AsTheTokenReader_OrLeavesItToIt()
    {
        foreach (var text in NumberTexts())
        {
            var dest = new float[1];
            if (JsonNumberArrayScanner.Scan<float, FastSingle>(Encoding.UTF8.GetBytes($"[{text}]"), dest, "x", [1]) < 0) continue;
            var expected = ByTokenReader<float, SingleReader>(text);
            Assert.True(expected.Ok, $"the fast path accepted {text}, which the token reader refuses");
            Assert.True(BitConverter.SingleToInt32Bits(expected.Value) == BitConverter.SingleToInt32Bits(dest[0]),
                $"{text}: fast path gave {dest[0]:R}, token reader {expected.Value:R}");
        }
    }

    [Fact]
    public void Scanner_TakesTheFastPath_ForThePixelAndFeatureValuesClientsSend()
    {
        var random = new Random(48_192);
        // Normalised pixels, raw 0-255 pixels and standardised features, as shortest round-trip float text.
        var values = Enumerable.Range(0, 30_000).Select(i => (i % 3) switch
        {
            0 => (float)random.NextDouble(),
            1 => (float)random.Next(256),
            _ => (float)((random.NextDouble() - 0.5) * 8),
        }).ToArray();
        var json = Encoding.UTF8.GetBytes("[" + string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]");
        var dest = new float[values.Length];

        Assert.Equal(json.Length, JsonNumberArrayScanner.Scan<float, FastSingle>(json, dest, "x", [values.Length]));

        Assert.Equal(values, dest);
    }

    [Fact]
    public void Scanner_ReadsEveryDouble_BitForBit_AsTheTokenReader_OrLeavesItToIt()
    {
        foreach (var text in NumberTexts())
        {
            var dest = new double[1];
            if (JsonNumberArrayScanner.Scan<double, FastDouble>(Encoding.UTF8.GetBytes($"[{text}]"), dest, "x", [1]) < 0) continue;
            var expected = ByTokenReader<double, DoubleReader>(text);
            Assert.True(expected.Ok, $"the fast path accepted {text}, which the token reader refuses");
            Assert.True(BitConverter.DoubleToInt64Bits(expected.Value) == BitConverter.DoubleToInt64Bits(dest[0]), $"{text}: fast {dest[0]:R}, token reader {expected.Value:R}");
        }
    }

    [Theory]
    [InlineData("[1, 2,\n 3,\t4 ,5,6]", new[] { 2L, 3 })]
    [InlineData("[[1,2,3],[4,5,6]]", new[] { 2L, 3 })]
    [InlineData(" [ [ 1 , 2 , 3 ] , [ 4 , 5 , 6 ] ] ", new[] { 2L, 3 })]
    public void Scanner_ReadsFlatAndNestedData_WithAnyWhitespace(string data, long[] shape)
    {
        var dest = new float[6];

        Assert.Equal(data.Trim().Length, JsonNumberArrayScanner.Scan<float, FastSingle>(Encoding.UTF8.GetBytes(data.Trim() + ", \"more\": 1}"), dest, "x", shape));

        Assert.Equal([1f, 2, 3, 4, 5, 6], dest);
    }

    [Theory]
    [InlineData("""[1,"NaN",3]""")]
    [InlineData("[1,2,3,4]")]
    [InlineData("[1,2]")]
    [InlineData("[1,true,3]")]
    [InlineData("[1,null,3]")]
    [InlineData("[1,2,3,]")]
    [InlineData("[1,,2,3]")]
    [InlineData("[1 2,3]")]
    [InlineData("[01,2,3]")]
    [InlineData("[1.,2,3]")]
    [InlineData("[.5,2,3]")]
    [InlineData("[+1,2,3]")]
    [InlineData("[1e,2,3]")]
    [InlineData("[-,2,3]")]
    [InlineData("[1,2,3")]
    [InlineData("[[1,2,3]]")]
    public void Scanner_LeavesAnythingButExactlyShapedNumbers_ToTheGeneralReader(string data)
    {
        Assert.Equal(-1, JsonNumberArrayScanner.Scan<float, FastSingle>(Encoding.UTF8.GetBytes(data), new float[3], "x", [3]));
    }

    [Theory]
    [InlineData("""{"name":"a","shape":[2,3],"datatype":"FP32","data":[[1,2],[3,4,5,6]]}""", "input 'a': the nesting of 'data' does not match its shape [2,3]; send it flat or nested exactly as the shape says")]
    [InlineData("""{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3,4]}""", "input 'a': shape [1,3] needs 3 elements but data has 4")]
    [InlineData("""{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3,]}""", "malformed JSON")]
    [InlineData("""{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3],"parameters":{"binary_data_size":12}}""", "input 'a' has both 'data' and a 'binary_data_size' parameter; send one of them")]
    public void Requests_TheScannerDeclines_GetTheGeneralReadersErrors(string input, string error)
    {
        using var model = OnnxModel.Load(Infrastructure.ModelFiles.MultiIo, DeviceKind.Cpu, SessionTuning.ForServing());
        var json = $$"""{"inputs":[{{input}},{"name":"b","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"name":"count","shape":[1,1],"datatype":"INT32","data":[1]}]}""";

        var e = Assert.Throws<ProtocolException>(() => InferRequestReader.Read(Encoding.UTF8.GetBytes(json), [], model));

        Assert.StartsWith(error, e.Message);
    }

    [Fact]
    public void ScannedData_LeavesTheRestOfTheRequestToTheReader_WithTheSamePositionsInErrors()
    {
        using var model = OnnxModel.Load(Infrastructure.ModelFiles.MultiIo, DeviceKind.Cpu, SessionTuning.ForServing());
        const string rest = """{"name":"b","shape":[1,3],"datatype":"FP32","data":[4,5,6]},{"name":"count","shape":[1,1],"datatype":"INT32","data":[7]}""";
        // A line break inside the data, so the error positions after it depend on the stand-in keeping it.
        var good = "{\"id\":\"r1\",\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1.5,\n 2, -3e-2]}," + rest + "],\"outputs\":[{\"name\":\"sum\"}]}";
        // The same request with a flaw after the data, and with the data in an order only the general path reads.
        var broken = good.Replace("\"outputs\":[", "\"outputs\":[,");
        var generalBroken = broken.Replace("""{"name":"a","shape":[1,3],"datatype":"FP32","data":""", """{"data":""").Replace("-3e-2]}", """-3e-2],"name":"a","shape":[1,3],"datatype":"FP32"}""");

        using var request = InferRequestReader.Read(Encoding.UTF8.GetBytes(good), [], model);
        var scannedError = Assert.Throws<ProtocolException>(() => InferRequestReader.Read(Encoding.UTF8.GetBytes(broken), [], model)).Message;
        var generalError = Assert.Throws<ProtocolException>(() => InferRequestReader.Read(Encoding.UTF8.GetBytes(generalBroken), [], model)).Message;

        Assert.Equal("r1", request.Id);
        Assert.Equal([1.5f, 2f, -3e-2f], MemoryMarshal.Cast<byte, float>(request.Inputs[0].Bytes).ToArray());
        Assert.Equal([4f, 5f, 6f], MemoryMarshal.Cast<byte, float>(request.Inputs[1].Bytes).ToArray());
        Assert.Equal(["sum"], request.OutputNames);
        Assert.StartsWith("malformed JSON", scannedError);
        Assert.Contains("LineNumber: 1", scannedError);
        Assert.Equal(generalError.Length, scannedError.Length);
    }

    public static TheoryData<float[]> FloatOutputs() => new()
    {
        new[] { 0f, -0f, 1f, -1.5f, 0.1f, float.Epsilon, float.MaxValue, float.MinValue, 1e-7f, 123456.79f, float.NaN, float.PositiveInfinity, float.NegativeInfinity },
        Enumerable.Range(0, 5_000).Select(i => BitConverter.Int32BitsToSingle(new Random(i).Next())).ToArray(),
        Array.Empty<float>(),
    };

    [Theory]
    [MemberData(nameof(FloatOutputs))]
    public void Writer_WritesFloats_ExactlyAsUtf8JsonWriterDoes(float[] values)
    {
        var expected = Written(w =>
        {
            w.WriteStartArray();
            foreach (var v in values)
                if (float.IsFinite(v)) w.WriteNumberValue(v);
                else w.WriteStringValue(float.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
            w.WriteEndArray();
        });

        Assert.Equal(expected, Written(w => JsonNumberArrayWriter.Write<float>(w, values)));
    }

    [Fact]
    public void Writer_WritesDoubles_ExactlyAsUtf8JsonWriterDoes()
    {
        double[] values = [0, -0.0, 0.1, double.Epsilon, double.MaxValue, double.MinValue, 1.0 / 3, -2.2250738585072014E-308, double.NaN, double.NegativeInfinity];
        var expected = Written(w =>
        {
            w.WriteStartArray();
            foreach (var v in values)
                if (double.IsFinite(v)) w.WriteNumberValue(v);
                else w.WriteStringValue(double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
            w.WriteEndArray();
        });

        Assert.Equal(expected, Written(w => JsonNumberArrayWriter.Write<double>(w, values)));
    }

    [Fact]
    public void Writer_OutputsInsideAResponse_StayValidJson_AndRoundTrip()
    {
        float[] values = [1.5f, float.NaN, -3e-5f];
        var json = Written(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("data");
            JsonNumberArrayWriter.Write<float>(w, values);
            w.WriteString("after", "x");
            w.WriteEndObject();
        });

        using var document = JsonDocument.Parse(json);
        var data = document.RootElement.GetProperty("data");
        Assert.Equal(1.5f, data[0].GetSingle());
        Assert.Equal("NaN", data[1].GetString());
        Assert.Equal(-3e-5f, data[2].GetSingle());
        Assert.Equal("x", document.RootElement.GetProperty("after").GetString());
    }

    private static string Written(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true })) write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
