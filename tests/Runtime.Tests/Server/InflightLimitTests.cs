using System.Net;
using System.Text.Json.Nodes;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary><c>--max-inflight-bytes</c>: past the bytes held at once a request gets 503 with Retry-After, and service resumes once they are released.</summary>
public sealed class InflightLimitTests
{
    private static object MlpBody() => new
    {
        inputs = new[] { new { name = "features", shape = new[] { 1, 16 }, datatype = "FP32", data = new float[16] } },
    };

    /// <summary>A body that sends its first bytes, then waits until told to send the rest: a request that holds its reservation.</summary>
    private sealed class StalledBody(long length, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(new byte[1024]);
            await stream.FlushAsync();
            await release;
            var rest = new byte[length - 1024];
            await stream.WriteAsync(rest);
        }

        protected override bool TryComputeLength(out long length1) { length1 = length; return true; }
    }

    [Fact]
    public async Task RequestPastTheInflightLimit_Is503WithRetryAfter_AndServiceResumesAfterwards()
    {
        await using var server = await RunningServer.StartAsync(new ServeOptions { Model = ModelFiles.Mlp, BenchIterations = 0, MaxInflightBytes = 1_000_000 });
        var release = new TaskCompletionSource();
        using var stalled = new StalledBody(600_000, release.Task);
        using var stalledClient = new HttpClient { BaseAddress = server.Http.BaseAddress };
        var held = stalledClient.PostAsync($"/v2/models/{server.ModelName}/infer", stalled);

        await InFlightWithinAsync(server, TimeSpan.FromSeconds(30));
        var refused = await RefusedWithinAsync(server, TimeSpan.FromSeconds(30));
        release.SetResult();
        var heldAnswer = await held;
        var afterwards = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(MlpBody()));

        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();
        Assert.Contains("--max-inflight-bytes", error);
        Assert.Equal(HttpStatusCode.BadRequest, heldAnswer.StatusCode); // its body was zeros: malformed JSON, but answered
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    /// <summary>Waits until the server counts the stalled request in flight (its reservation is made as its body starts).</summary>
    private static async Task InFlightWithinAsync(RunningServer server, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var metrics = await server.Http.GetStringAsync("/metrics");
            if (metrics.Contains($"modelruntime_inflight_requests{{model=\"{server.ModelName}\"}} 1")) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the stalled request was not in flight within {timeout}");
    }

    /// <summary>Sends small requests until one is refused (the stalled one has reached the server), or fails saying what it awaited.</summary>
    private static async Task<HttpResponseMessage> RefusedWithinAsync(RunningServer server, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", OipJson.Json(MlpBody()));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) return response;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no request was refused within {timeout} while a stalled request held 1.2 MB of a 1 MB limit");
    }

    [Fact]
    public void Gate_AdmitsALoneRequestOfAnySize_AndRefusesWhatDoesNotFitBesideOthers()
    {
        var gate = new InflightBytes(100);

        Assert.True(gate.TryAcquire(500));
        Assert.False(gate.TryAcquire(1));
        gate.Release(500);
        Assert.True(gate.TryAcquire(60));
        Assert.True(gate.TryAcquire(40));
        Assert.False(gate.TryAcquire(1));
        Assert.Equal(100, gate.Held);
    }
}
