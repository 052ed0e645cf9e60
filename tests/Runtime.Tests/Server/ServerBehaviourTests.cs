using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>Health, metadata, limits, errors, metrics and shutdown of the real server, as a client sees them.</summary>
public sealed class ServerBehaviourTests
{
    private static object MlpBody(int rows = 1) => new
    {
        inputs = new[] { new { name = "features", shape = new[] { rows, 16 }, datatype = "FP32", data = new float[rows * 16] } },
    };

    private static async Task<JsonObject> JsonOf(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    [Fact]
    public async Task HealthAndServerMetadata_AnswerWithStatusAndSmallJson()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.Mlp);

        var live = await server.Http.GetAsync("/v2/health/live");
        var ready = await server.Http.GetAsync("/v2/health/ready");
        var modelReady = await server.Http.GetAsync($"/v2/models/{server.ModelName}/ready");
        var metadata = await JsonOf(await server.Http.GetAsync("/v2"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True((await JsonOf(live))["live"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True((await JsonOf(ready))["ready"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, modelReady.StatusCode);
        Assert.Equal("model-runtime", metadata["name"]!.GetValue<string>());
        Assert.Contains("binary_tensor_data", metadata["extensions"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public async Task ModelMetadata_ListsInputsAndOutputsFromTheModel_WithDynamicDimsAsMinusOne()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.MultiIo);

        var metadata = await JsonOf(await server.Http.GetAsync($"/v2/models/{server.ModelName}"));
        var versioned = await server.Http.GetAsync($"/v2/models/{server.ModelName}/versions/1");

        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
        Assert.Equal("multi-io", metadata["name"]!.GetValue<string>());
        Assert.Equal("onnx_onnxv1", metadata["platform"]!.GetValue<string>());
        Assert.Equal(["a", "b", "count"], metadata["inputs"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()));
        var count = metadata["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "count")!;
        Assert.Equal("INT32", count["datatype"]!.GetValue<string>());
        Assert.Equal([-1L, 1L], count["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        var rowTotal = metadata["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "row_total")!;
        Assert.Equal("FP64", rowTotal["datatype"]!.GetValue<string>());
        Assert.Equal([-1L], rowTotal["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        var parameters = metadata["parameters"]!;
        Assert.False(string.IsNullOrEmpty(parameters["execution_provider"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(parameters["execution_provider_reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UnknownModel_Is404_WithAnErrorNamingIt()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.Mlp);

        var infer = await server.Http.PostAsync("/v2/models/resnet/infer", OipJson.Json(MlpBody()));
        var metadata = await server.Http.GetAsync("/v2/models/resnet");

        Assert.Equal(HttpStatusCode.NotFound, infer.StatusCode);
        Assert.Contains("unknown model 'resnet'", (await JsonOf(infer))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, metadata.StatusCode);
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413_AndTheServerKeepsServing()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.Mlp, BenchIterations = 0, MaxBodyBytes = 4096 });

        var declared = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(MlpBody(rows: 256)));
        var streamed = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer",
            new PushStreamContent(async s => await s.WriteAsync(new byte[10_000])));
        var small = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(MlpBody(rows: 1)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("over the limit of 4096 bytes", (await JsonOf(declared))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }

    [Fact]
    public async Task BadRequests_AreAnswered400_WhileGoodOnesRunConcurrently()
    {
        await using var server = await RunningServer.StartAsync(ModelFiles.Mlp);
        var url = $"/v2/models/{server.ModelName}/infer";

        var bad = Enumerable.Range(0, 20).Select(i => server.Http.PostAsync(url, OipJson.Raw(i % 2 == 0 ? "{\"inputs\":[{" : "{\"inputs\":[]}")));
        var good = Enumerable.Range(0, 20).Select(_ => server.Http.PostAsync(url, OipJson.Json(MlpBody())));
        var responses = await Task.WhenAll(bad.Concat(good));

        Assert.All(responses.Take(20), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.All(responses.Skip(20), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var r in responses.Take(20)) Assert.False(string.IsNullOrEmpty((await JsonOf(r))["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task WhileBenchmarking_ReadyAndInferAnswer503()
    {
        // An on-node benchmark far longer than the test keeps the model from turning ready.
        await using var server = await RunningServer.StartAsync(
            new ServeOptions { Model = ModelFiles.Mlp, BenchIterations = int.MaxValue, BenchWarmup = 0 }, waitReady: false);

        var ready = await server.Http.GetAsync("/v2/health/ready");
        var infer = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(MlpBody()));
        var live = await server.Http.GetAsync("/v2/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.False((await JsonOf(ready))["ready"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, infer.StatusCode);
        Assert.Contains("not ready", (await JsonOf(infer))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Shutdown_FinishesAnInFlightRequest_BeforeStopping()
    {
        var server = await RunningServer.StartAsync(ModelFiles.Mlp);
        using var client = new HttpClient { BaseAddress = server.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        // The client sends the first bytes of its body, then holds the rest back until shutdown has begun.
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(MlpBody());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = client.PostAsync($"/v2/models/{server.ModelName}/infer", new PushStreamContent(async stream =>
        {
            await stream.WriteAsync(body.AsMemory(0, 10));
            await stream.FlushAsync();
            await release.Task;
            await stream.WriteAsync(body.AsMemory(10));
        }));
        await WaitUntil(() => server.Server.Metrics.InFlight.WithLabels(server.ModelName).Value >= 1, "the request to be in flight");

        var stopping = server.DisposeAsync().AsTask();
        await WaitUntil(() => server.Server.Model.State == ModelState.Stopping, "shutdown to begin");
        release.SetResult();
        var response = await inFlight;
        await stopping;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task DuringTheShutdownDelay_ReadyAnswers503_AndInferenceIsStillServed()
    {
        var server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.Mlp, BenchIterations = 0, ShutdownDelay = TimeSpan.FromSeconds(5) });
        var address = server.Server.BaseAddress;
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };

        var stopping = server.DisposeAsync().AsTask();
        await WaitUntil(() => server.Server.Model.State == ModelState.Stopping, "shutdown to begin");
        var ready = await client.GetAsync("/v2/health/ready");
        var infer = await client.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(MlpBody()));
        await stopping;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        Assert.NotNull((await JsonOf(infer))["outputs"]);
        using var after = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => after.GetAsync("/v2/health/live"));
    }

    [Fact]
    public async Task WarmUpRequests_RunBeforeReady_AndAreNotCounted()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.Mlp, MaxBatch = 4, BenchIterations = 0 });

        var before = await server.Http.GetStringAsync("/metrics");
        var infer = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(MlpBody()));
        var after = await server.Http.GetStringAsync("/metrics");

        // The server answered its own warm-up requests (the batcher ran them) before turning ready...
        Assert.Matches(@"modelruntime_batch_size_count\{model=""[^""]+""\} ([1-9]\d*)", before);
        // ...but a user's first request is the first one counted.
        Assert.DoesNotContain("modelruntime_requests_total{", before);
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        Assert.Contains($"modelruntime_requests_total{{model=\"{server.ModelName}\",outcome=\"success\"}} 1", after);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"timed out after 30 s waiting for {what}");
            await Task.Delay(10);
        }
    }

    private sealed class PushStreamContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
