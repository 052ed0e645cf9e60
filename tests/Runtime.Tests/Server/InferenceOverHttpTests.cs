using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>The real server on a loopback port, answering over HTTP what plain in-process ONNX Runtime computes.</summary>
public sealed class InferenceOverHttpTests
{
    private static float[] Image(int seed) => Enumerable.Range(0, 784).Select(i => (float)((i * 7 + seed * 13) % 255) / 255f).ToArray();

    [Fact]
    public async Task JsonInfer_OnMnistCnn_MatchesInProcessOnnxRuntime()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var image = Image(1);

        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(new
        {
            id = "request-1",
            inputs = new[] { new { name = "input", shape = new[] { 1, 1, 28, 28 }, datatype = "FP32", data = image } },
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, _) = await OipJson.ReadAsync(response);
        Assert.Equal("request-1", json["id"]!.GetValue<string>());
        Assert.Equal(server.ModelName, json["model_name"]!.GetValue<string>());
        var output = OipJson.Output(json, "probabilities");
        Assert.Equal("FP32", output["datatype"]!.GetValue<string>());
        Assert.Equal([1L, 10L], output["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        var expected = PlainOnnxRuntime.RunFloat(ModelFiles.MnistCnn, "input", image, [1, 1, 28, 28], "probabilities");
        PlainOnnxRuntime.AssertClose(expected, OipJson.Floats(output));
    }

    [Fact]
    public async Task JsonInfer_WithFloatsWrittenAsPythonWritesThem_AnswersBitForBitAsWithShortestFloats()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var random = new Random(17);
        var image = Enumerable.Range(0, 784).Select(_ => (float)random.NextDouble()).ToArray();
        async Task<float[]> InferAsync<T>(T[] data)
        {
            var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(new
            {
                inputs = new[] { new { name = "input", shape = new[] { 1, 1, 28, 28 }, datatype = "FP32", data } },
            }));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return OipJson.Floats(OipJson.Output((await OipJson.ReadAsync(response)).Json, "probabilities"));
        }

        // numpy's tolist() widens float32 to double, which json writes with up to 17 digits (0.6681064367294312).
        var asPython = await InferAsync(image.Select(v => (double)v).ToArray());
        var shortest = await InferAsync(image);

        Assert.Equal(shortest, asPython);
        PlainOnnxRuntime.AssertClose(PlainOnnxRuntime.RunFloat(ModelFiles.MnistCnn, "input", image, [1, 1, 28, 28], "probabilities"), asPython);
    }

    [Fact]
    public async Task BinaryInfer_OnMnistCnnBatchOfTwo_MatchesInProcessOnnxRuntime()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MnistCnn);
        var images = Image(2).Concat(Image(3)).ToArray();

        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Binary(new
        {
            inputs = new[] { new { name = "input", shape = new[] { 2, 1, 28, 28 }, datatype = "FP32", parameters = new { binary_data_size = images.Length * 4 } } },
            outputs = new[] { new { name = "probabilities", parameters = new { binary_data = true } } },
        }, MemoryMarshal.AsBytes(images.AsSpan()).ToArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, binary) = await OipJson.ReadAsync(response);
        Assert.Equal(80, OipJson.Output(json, "probabilities")["parameters"]!["binary_data_size"]!.GetValue<int>());
        var served = MemoryMarshal.Cast<byte, float>(binary["probabilities"]).ToArray();
        var expected = PlainOnnxRuntime.RunFloat(ModelFiles.MnistCnn, "input", images, [2, 1, 28, 28], "probabilities");
        PlainOnnxRuntime.AssertClose(expected, served);
    }

    [Fact]
    public async Task MultiIoInfer_ReturnsOnlyRequestedOutputs_MixingJsonAndBinary()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MultiIo);

        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(new
        {
            inputs = new object[]
            {
                new { name = "a", shape = new[] { 2, 3 }, datatype = "FP32", data = new[] { new[] { 1f, 2f, 3f }, new[] { 4f, 5f, 6f } } },
                new { name = "b", shape = new[] { 2, 3 }, datatype = "FP32", data = new[] { 3f, 2f, 1f, 0f, 10f, 0f } },
                new { name = "count", shape = new[] { 2, 1 }, datatype = "INT32", data = new[] { 41, -1 } },
            },
            outputs = new object[]
            {
                new { name = "greater" },
                new { name = "next_count", parameters = new { binary_data = true } },
            },
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, binary) = await OipJson.ReadAsync(response);
        Assert.Equal(["greater", "next_count"], json["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        var greater = OipJson.Output(json, "greater");
        Assert.Equal("BOOL", greater["datatype"]!.GetValue<string>());
        Assert.Equal([false, false, true, true, false, true], greater["data"]!.AsArray().Select(v => v!.GetValue<bool>()));
        Assert.Equal([42, 0], MemoryMarshal.Cast<byte, int>(binary["next_count"]).ToArray());
    }

    [Fact]
    public async Task Int64Infer_KeepsValuesBeyondFloatPrecision()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.Int64);
        var ids = Enumerable.Range(0, 8).Select(i => 9_007_199_254_740_993L + i).ToArray();

        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(new
        {
            inputs = new[] { new { name = "ids", shape = new[] { 1, 8 }, datatype = "INT64", data = ids } },
            outputs = new[] { new { name = "shifted" } },
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, _) = await OipJson.ReadAsync(response);
        var offsets = ModelOperator.SampleModels.SampleModelCatalog.Int64Offsets();
        Assert.Equal(ids.Select((v, i) => v + offsets[i]), OipJson.Output(json, "shifted")["data"]!.AsArray().Select(v => v!.GetValue<long>()));
    }

    [Fact]
    public async Task VersionedPaths_ServeVersionOne_AndAnswer404ForOthers()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.Mlp);
        var body = new { inputs = new[] { new { name = "features", shape = new[] { 1, 16 }, datatype = "FP32", data = new float[16] } } };

        var ok = await server.Http.PostAsync($"/v2/models/{server.ModelName}/versions/1/infer", OipJson.Json(body));
        var missing = await server.Http.PostAsync($"/v2/models/{server.ModelName}/versions/7/infer", OipJson.Json(body));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no version '7'", (await JsonNode.ParseAsync(await missing.Content.ReadAsStreamAsync()))!["error"]!.GetValue<string>());
    }
}
