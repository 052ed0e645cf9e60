using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Google.Protobuf;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Shadow;

/// <summary>
/// Two real servers: a stable one told at run time, on its management port, to mirror to a shadow one; users only ever
/// get the stable's answers, and the stable's /metrics count what the shadow answered (issue 23).
/// </summary>
public sealed class ShadowMirroringOverHttpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static float[] Image(int seed) => Enumerable.Range(0, 784).Select(i => (float)((i * 7 + seed * 13) % 255) / 255f).ToArray();

    private static object JsonRequest(int seed) => new
    {
        id = $"req-{seed}",
        inputs = new[] { new { name = "input", shape = new[] { 1, 1, 28, 28 }, datatype = "FP32", data = Image(seed) } },
    };

    private static Task<RunningServer> StableAsync() =>
        RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.MnistCnn, BenchIterations = 0, ManagementPort = 0 });

    private static Task<RunningServer> ShadowAsync(string model) =>
        RunningServer.StartAsync(new ServeOptions { Model = model, Name = "mnist-cnn", BenchIterations = 0 });

    private static async Task<HttpResponseMessage> SetTargetAsync(RunningServer stable, object body)
    {
        using var management = new HttpClient { BaseAddress = stable.Server.ManagementAddress };
        return await management.PutAsJsonAsync("/v2/_shadow", body);
    }

    private static async Task<double> MetricAsync(RunningServer server, string series)
    {
        var text = await server.Http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {Bound.TotalSeconds}s waiting for {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task IdenticalShadow_AgreesOnEveryMirroredRequest_JsonAndBinary()
    {
        await using var stable = await StableAsync();
        await using var shadow = await ShadowAsync(ModelFiles.MnistCnn);
        Assert.Equal(HttpStatusCode.OK, (await SetTargetAsync(stable, new { url = shadow.Server.BaseAddress.ToString(), fraction = 1.0 })).StatusCode);

        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await stable.Http.PostAsync("/v2/models/mnist-cnn/infer", OipJson.Json(JsonRequest(i)))).StatusCode);
        var images = Image(1).Concat(Image(2)).ToArray();
        var binary = await stable.Http.PostAsync("/v2/models/mnist-cnn/infer", OipJson.Binary(new
        {
            inputs = new[] { new { name = "input", shape = new[] { 2, 1, 28, 28 }, datatype = "FP32", parameters = new { binary_data_size = images.Length * 4 } } },
            outputs = new[] { new { name = "probabilities", parameters = new { binary_data = true } } },
        }, MemoryMarshal.AsBytes(images.AsSpan()).ToArray()));
        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);

        const string compared = "modelruntime_shadow_compared_total{model=\"mnist-cnn\",output=\"probabilities\"}";
        await EventuallyAsync(async () => await MetricAsync(stable, compared) == 11, "11 compared requests");
        Assert.Equal(11, await MetricAsync(stable, "modelruntime_shadow_agreeing_total{model=\"mnist-cnn\",output=\"probabilities\"}"));
        Assert.Equal(11, await MetricAsync(stable, "modelruntime_shadow_mirrored_total{model=\"mnist-cnn\"}"));
        Assert.Equal(11, await MetricAsync(stable, "modelruntime_shadow_max_abs_diff_bucket{model=\"mnist-cnn\",output=\"probabilities\",le=\"0\"}"));
        // The shadow answered the copies: its own metrics count them as requests, as a canary's would.
        Assert.Equal(11, await MetricAsync(shadow, "modelruntime_requests_total{model=\"mnist-cnn\",outcome=\"success\"}"));
    }

    [Fact]
    public async Task OtherWeights_Disagree_UsersGetTheStablesAnswer_AndExamplesNameTheRequests()
    {
        await using var stable = await StableAsync();
        await using var shadow = await ShadowAsync(ModelFiles.MnistCnnV2);
        await using var reference = await StableAsync(); // what the stable answers without mirroring
        await SetTargetAsync(stable, new { url = shadow.Server.BaseAddress.ToString(), fraction = 1.0 });

        for (var i = 0; i < 20; i++)
        {
            var mirrored = await (await stable.Http.PostAsync("/v2/models/mnist-cnn/infer", OipJson.Json(JsonRequest(i)))).Content.ReadAsStringAsync();
            var plain = await (await reference.Http.PostAsync("/v2/models/mnist-cnn/infer", OipJson.Json(JsonRequest(i)))).Content.ReadAsStringAsync();
            Assert.Equal(plain, mirrored);
        }

        await EventuallyAsync(async () => await MetricAsync(stable, "modelruntime_shadow_compared_total{model=\"mnist-cnn\",output=\"probabilities\"}") == 20, "20 compared requests");
        var agreeing = await MetricAsync(stable, "modelruntime_shadow_agreeing_total{model=\"mnist-cnn\",output=\"probabilities\"}");
        Assert.True(agreeing < 20, $"other weights agreed on all {agreeing} requests");
        using var management = new HttpClient { BaseAddress = stable.Server.ManagementAddress };
        var state = JsonNode.Parse(await management.GetStringAsync("/v2/_shadow"))!;
        var example = state["examples"]!.AsArray().First()!;
        Assert.Matches(@"^req-\d+$", example["requestId"]!.GetValue<string>());
        Assert.Matches(@"^row 0: stable top-1 -?\d, shadow top-1 -?\d$", example["why"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(true)]  // raw input contents: the answer comes back as raw output contents
    [InlineData(false)] // typed contents
    public async Task GrpcRequests_AreMirroredOverGrpc_WithTheirId(bool raw)
    {
        await using var stable = await StableAsync();
        await using var shadow = await ShadowAsync(ModelFiles.MnistCnnV2);
        await SetTargetAsync(stable, new { url = shadow.Server.BaseAddress.ToString(), grpcUrl = shadow.Server.GrpcAddress!.ToString(), fraction = 1.0 });

        var client = new GRPCInferenceService.GRPCInferenceServiceClient(stable.Grpc);
        for (var i = 0; i < 5; i++)
        {
            var request = new ModelInferRequest { ModelName = "mnist-cnn", Id = $"grpc-{i}" };
            var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32" };
            input.Shape.Add([1, 1, 28, 28]);
            if (raw) request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(Image(i).AsSpan())));
            else input.Contents = new InferTensorContents { Fp32Contents = { Image(i) } };
            request.Inputs.Add(input);
            await client.ModelInferAsync(request);
        }

        await EventuallyAsync(async () => await MetricAsync(stable, "modelruntime_shadow_compared_total{model=\"mnist-cnn\",output=\"probabilities\"}") == 5, "5 compared gRPC requests");
        Assert.Equal(0, await MetricAsync(stable, "modelruntime_shadow_failures_total{model=\"mnist-cnn\",reason=\"unreadable\"}"));
        using var management = new HttpClient { BaseAddress = stable.Server.ManagementAddress };
        var examples = JsonNode.Parse(await management.GetStringAsync("/v2/_shadow"))!["examples"]!.AsArray();
        Assert.All(examples, e => Assert.Matches(@"^grpc-\d$", e!["requestId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task WithoutAGrpcUrl_GrpcRequestsAreNotMirrored()
    {
        await using var stable = await StableAsync();
        await using var shadow = await ShadowAsync(ModelFiles.MnistCnn);
        await SetTargetAsync(stable, new { url = shadow.Server.BaseAddress.ToString(), fraction = 1.0 });
        var request = new ModelInferRequest { ModelName = "mnist-cnn" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Contents = new InferTensorContents { Fp32Contents = { Image(1) } } };
        input.Shape.Add([1, 1, 28, 28]);
        request.Inputs.Add(input);
        await new GRPCInferenceService.GRPCInferenceServiceClient(stable.Grpc).ModelInferAsync(request);
        Assert.Equal(0, await MetricAsync(stable, "modelruntime_shadow_mirrored_total{model=\"mnist-cnn\"}"));
    }

    [Fact]
    public async Task UnreachableShadow_NeverFailsAUserRequest_AndIsCounted()
    {
        await using var stable = await StableAsync();
        var shadow = await ShadowAsync(ModelFiles.MnistCnn);
        var gone = shadow.Server.BaseAddress.ToString();
        await shadow.DisposeAsync();
        await SetTargetAsync(stable, new { url = gone, fraction = 1.0 });

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await stable.Http.PostAsync("/v2/models/mnist-cnn/infer", OipJson.Json(JsonRequest(i)))).StatusCode);
        await EventuallyAsync(async () => await MetricAsync(stable, "modelruntime_shadow_failures_total{model=\"mnist-cnn\",reason=\"unreachable\"}") == 5, "5 unreachable copies");
    }

    [Fact]
    public async Task ManagementEndpoint_IsOnlyOnTheManagementPort_AndTheManagementPortServesNothingElse()
    {
        await using var stable = await StableAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await stable.Http.PutAsJsonAsync("/v2/_shadow", new { url = "http://x:8080", fraction = 1.0 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stable.Http.GetAsync("/v2/_shadow")).StatusCode);

        using var management = new HttpClient { BaseAddress = stable.Server.ManagementAddress };
        Assert.Equal(HttpStatusCode.NotFound, (await management.PostAsync("/v2/models/mnist-cnn/infer", OipJson.Json(JsonRequest(1)))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync("/metrics")).StatusCode);
        Assert.Equal("""{"target":null,"examples":[]}""", await management.GetStringAsync("/v2/_shadow"));
    }

    [Theory]
    [InlineData("""{"url":"ftp://x","fraction":1}""", "url must be an absolute http(s) address of the shadow revision's Service, got 'ftp://x'")]
    [InlineData("""{"url":"http://x:8080","fraction":1.5}""", "fraction must be a number from 0 to 1, got 1.5")]
    [InlineData("""{"url":"http://x:8080"}""", "fraction must be a number from 0 to 1, got none")]
    [InlineData("""{"url":"http://x:8080","fraction":1,"timeoutSeconds":0}""", "timeoutSeconds must be above 0 and at most 60, got 0")]
    [InlineData("""{"url":"http://x:8080","fraction":"all"}""", "'fraction' has the wrong type (String)")]
    [InlineData("""{"url":"http://x:8080","fraction":1,"sample":2}""", "unknown field 'sample' (known: url, grpcUrl, fraction, timeoutSeconds)")]
    public async Task BadTarget_IsRefused_NamingTheField(string body, string error)
    {
        await using var stable = await StableAsync();
        using var management = new HttpClient { BaseAddress = stable.Server.ManagementAddress };
        var response = await management.PutAsync("/v2/_shadow", OipJson.Raw(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeletingTheTarget_StopsMirroringAtOnce()
    {
        await using var stable = await StableAsync();
        await using var shadow = await ShadowAsync(ModelFiles.MnistCnn);
        await SetTargetAsync(stable, new { url = shadow.Server.BaseAddress.ToString(), fraction = 1.0 });
        using var management = new HttpClient { BaseAddress = stable.Server.ManagementAddress };
        Assert.Equal(HttpStatusCode.OK, (await management.DeleteAsync("/v2/_shadow")).StatusCode);

        await stable.Http.PostAsync("/v2/models/mnist-cnn/infer", OipJson.Json(JsonRequest(1)));
        Assert.Equal(0, await MetricAsync(stable, "modelruntime_shadow_mirrored_total{model=\"mnist-cnn\"}"));
        Assert.Equal(0, await MetricAsync(shadow, "modelruntime_requests_total{model=\"mnist-cnn\",outcome=\"success\"}"));
    }
}
