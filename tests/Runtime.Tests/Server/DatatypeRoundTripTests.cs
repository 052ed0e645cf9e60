using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>Every OIP datatype ONNX has goes through an identity model and comes back unchanged, as JSON and as binary.</summary>
public sealed class DatatypeRoundTripTests
{
    /// <summary>Per datatype: edge values as JSON, and the same values as little-endian bytes (BYTES: length-prefixed).</summary>
    private static readonly Dictionary<string, (JsonArray Json, byte[] Binary)> Samples = new()
    {
        ["BOOL"] = (Arr(true, false, false, true), [1, 0, 0, 1]),
        ["UINT8"] = (Arr(0, 255, 1, 128), [0, 255, 1, 128]),
        ["UINT16"] = (Arr(0, 65535, 1, 40000), Bytes<ushort>(0, 65535, 1, 40000)),
        ["UINT32"] = (Arr(0u, uint.MaxValue, 1u, 3_000_000_000u), Bytes(0u, uint.MaxValue, 1u, 3_000_000_000u)),
        ["UINT64"] = (Arr(0ul, ulong.MaxValue, 1ul, 1ul << 63), Bytes(0ul, ulong.MaxValue, 1ul, 1ul << 63)),
        ["INT8"] = (Arr(-128, 127, 0, -1), Bytes<sbyte>(-128, 127, 0, -1)),
        ["INT16"] = (Arr(-32768, 32767, 0, -1), Bytes<short>(-32768, 32767, 0, -1)),
        ["INT32"] = (Arr(int.MinValue, int.MaxValue, 0, -1), Bytes(int.MinValue, int.MaxValue, 0, -1)),
        ["INT64"] = (Arr(long.MinValue, long.MaxValue, 0L, -1L), Bytes(long.MinValue, long.MaxValue, 0L, -1L)),
        ["FP16"] = (Arr(0.0, -1.5, 65504.0, 0.25), Bytes((Half)0, (Half)(-1.5), (Half)65504, (Half)0.25)),
        ["FP32"] = (Arr(0f, -1.5f, float.MaxValue, float.Epsilon, "NaN", "-Infinity"),
            Bytes(0f, -1.5f, float.MaxValue, float.Epsilon, float.NaN, float.NegativeInfinity)),
        ["FP64"] = (Arr(0d, -1.5d, double.MaxValue, double.Epsilon, "NaN", "Infinity"),
            Bytes(0d, -1.5d, double.MaxValue, double.Epsilon, double.NaN, double.PositiveInfinity)),
        ["BYTES"] = (Arr("", "hello", "ünïcödé 🙂", "tab\tnewline\n"), Strings("", "hello", "ünïcödé 🙂", "tab\tnewline\n")),
    };

    public static TheoryData<string> Datatypes() => new(SampleModelCatalog.IdentityDatatypes.Select(d => d.Datatype));

    [Fact]
    public async Task EveryDatatype_ComesBackUnchanged_AsJson()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.AllDatatypes);
        var inputs = new JsonArray();
        foreach (var (type, datatype) in SampleModelCatalog.IdentityDatatypes)
        {
            var data = Samples[datatype].Json;
            inputs.Add(new JsonObject
            {
                ["name"] = SampleModelCatalog.IdentityInputName(type), ["datatype"] = datatype,
                ["shape"] = Arr(2, data.Count / 2), ["data"] = data.DeepClone(),
            });
        }

        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Raw(new JsonObject { ["inputs"] = inputs }.ToJsonString()));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var (json, _) = await OipJson.ReadAsync(new HttpResponseMessage { Content = new StringContent(body) });
        foreach (var (type, datatype) in SampleModelCatalog.IdentityDatatypes)
        {
            var output = OipJson.Output(json, SampleModelCatalog.IdentityOutputName(type));
            Assert.Equal(datatype, output["datatype"]!.GetValue<string>());
            var sent = Samples[datatype].Json;
            var got = output["data"]!.AsArray();
            Assert.Equal(sent.Count, got.Count);
            for (var i = 0; i < sent.Count; i++) Assert.True(SameValue(sent[i]!, got[i]!), $"{datatype}[{i}]: sent {sent[i]!.ToJsonString()}, got {got[i]!.ToJsonString()}");
        }
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task EachDatatype_ComesBackBitForBit_AsBinary(string datatype)
    {
        var type = SampleModelCatalog.IdentityDatatypes.Single(d => d.Datatype == datatype).Type;
        await using var server = await RunningServer.StartAsync(ModelFiles.Identity(type));
        var (json, bytes) = Samples[datatype];
        var output = SampleModelCatalog.IdentityOutputName(type);

        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Binary(new
        {
            inputs = new[] { new { name = SampleModelCatalog.IdentityInputName(type), shape = new[] { 2, json.Count / 2 }, datatype, parameters = new { binary_data_size = bytes.Length } } },
            parameters = new { binary_data_output = true },
        }, bytes));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (header, binary) = await OipJson.ReadAsync(response);
        Assert.Equal([2L, json.Count / 2], OipJson.Output(header, output)["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal(bytes, binary[output]);
    }

    private static bool SameValue(JsonNode sent, JsonNode got)
    {
        var a = sent.ToJsonString();
        var b = got.ToJsonString();
        if (a == b) return true;
        return double.TryParse(a, CultureInfo.InvariantCulture, out var x) && double.TryParse(b, CultureInfo.InvariantCulture, out var y)
            && (x == y || Math.Abs(x - y) <= Math.Abs(x) * 1e-7);
    }

    private static JsonArray Arr(params object[] values) => new(values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>());

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Strings(params string[] values) => values.SelectMany(v =>
    {
        var utf8 = Encoding.UTF8.GetBytes(v);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, utf8.Length);
        return prefix.Concat(utf8);
    }).ToArray();
}
