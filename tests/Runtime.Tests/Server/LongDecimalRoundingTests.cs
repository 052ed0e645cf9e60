using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>
/// Decimals with more significant digits than 64 bits hold, sent to identity models over REST (issue 24): each must
/// come back as the correctly rounded value of its datatype, ties to even, on every parse path (a long flat array,
/// which the scanner reads, and nested data, which the token reader reads). The token reader's own conversion counted
/// trailing zeros past 19 digits as a non-zero tail (16777217.000000000000 became 16777218 as FP32), and FP16 went
/// through a double, rounding twice.
/// </summary>
public sealed class LongDecimalRoundingTests
{
    [Theory]
    [InlineData(OnnxElementType.Float, "FP32", "16777217.000000000000", 16777216d)]
    [InlineData(OnnxElementType.Float, "FP32", "33554434.000000000000", 33554432d)]
    [InlineData(OnnxElementType.Float, "FP32", "16777219.000000000000", 16777220d)]
    [InlineData(OnnxElementType.Float, "FP32", "16777217.0000000000000000000001", 16777218d)]
    [InlineData(OnnxElementType.Double, "FP64", "9007199254740993.000000000000000", 9007199254740992d)]
    [InlineData(OnnxElementType.Double, "FP64", "9007199254740995.0000000000000000", 9007199254740996d)]
    [InlineData(OnnxElementType.Double, "FP64", "9007199254740993.00000000000000000001", 9007199254740994d)]
    [InlineData(OnnxElementType.Float16, "FP16", "2049.000000000000000000000", 2048d)]
    [InlineData(OnnxElementType.Float16, "FP16", "2049.0000000000000000001", 2050d)]
    [InlineData(OnnxElementType.Float16, "FP16", "2051.000000000000000000000", 2052d)]
    public async Task LongDecimal_IsCorrectlyRounded_OnEveryParsePath(OnnxElementType type, string datatype, string text, double expected)
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.Identity(type));
        var name = SampleModelCatalog.IdentityInputName(type);
        var flat = string.Join(",", Enumerable.Repeat(text, 64));
        var nested = "[" + string.Join(",", Enumerable.Repeat($"[{text}]", 2)) + "]";

        var fromFlat = await InferAsync(server, $$"""{"inputs":[{"name":"{{name}}","shape":[1,64],"datatype":"{{datatype}}","data":[{{flat}}]}]}""");
        var fromNested = await InferAsync(server, $$"""{"inputs":[{"name":"{{name}}","shape":[2,1],"datatype":"{{datatype}}","data":{{nested}}}]}""");
        var alone = await InferAsync(server, $$"""{"inputs":[{"name":"{{name}}","shape":[1,1],"datatype":"{{datatype}}","data":[{{text}}]}]}""");

        Assert.All(fromFlat.Concat(fromNested).Concat(alone), v => Assert.Equal(expected, v));
    }

    /// <summary>No sample model takes BF16, so its reader is asked directly, as the JSON data reader asks it.</summary>
    [Theory]
    // BF16 keeps 8 significant bits: 257 is the midpoint of 256 and 258, 259 of 258 and 260.
    [InlineData("257", 256f)]
    [InlineData("257.000000000000000000000", 256f)]
    [InlineData("257.00000000000000000001", 258f)]
    [InlineData("256.99999999999999999999", 256f)]
    [InlineData("259", 260f)]
    // Just past the midpoint by less than a float32 holds: through a float32 it landed on the midpoint and went to even.
    [InlineData("257.00001", 258f)]
    [InlineData("-257.00000000000000000001", -258f)]
    [InlineData("2.5700000000000000000001e2", 258f)]
    [InlineData("25700000000000000000000000e-23", 256f)]
    public void Bf16_IsRoundedOnce_FromTheDecimal(string text, float expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        reader.Read();

        Assert.True(BFloat16Reader.TryRead(ref reader, out var value));
        Assert.Equal(expected, BFloat16Reader.ToSingle(value));
    }

    private static async Task<double[]> InferAsync(RunningServer server, string body)
    {
        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Raw(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
    }
}
