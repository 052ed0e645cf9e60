using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ModelOperator.Operator.Admission;
using ModelOperator.TestSupport;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>
/// The operator's side of the management port (issue 23) against a stand-in that answers as the runtime's
/// <c>/v2/_shadow</c> does: the target echoed, a refused target's error, disagreements, and a pod that does not answer.
/// </summary>
public sealed class ShadowTargetClientTests : IAsyncLifetime
{
    private WebApplication? _app;
    private JsonNode? _target;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _app = builder.Build();
        _app.MapGet("/v2/_shadow", () => State());
        _app.MapDelete("/v2/_shadow", () => { _target = null; return State(); });
        _app.MapPut("/v2/_shadow", async (HttpContext c) =>
        {
            var body = JsonNode.Parse(await new StreamReader(c.Request.Body).ReadToEndAsync())!;
            if (body.AsObject().Any(f => f.Value is null)) // as the runtime: a null field has the wrong type
                return Results.Json(new { error = "'grpcUrl' has the wrong type (Null)" }, statusCode: 400);
            if (body["fraction"]!.GetValue<double>() > 1)
                return Results.Json(new { error = "fraction must be a number from 0 to 1, got 2" }, statusCode: 400);
            _target = body;
            return State();
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private IResult State() => Results.Json(new JsonObject
    {
        ["target"] = _target?.DeepClone(),
        ["examples"] = new JsonArray(new JsonObject { ["requestId"] = "req-7", ["output"] = "probabilities", ["why"] = "row 0: stable top-1 3, shadow top-1 5" }),
    });

    // A generous timeout: the first request of a test on a loaded machine may take seconds (the operator's is 3 s).
    private ShadowTargetClient Client() => new(new HttpClient(), _port, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task SetTarget_IsEchoed_AndCleared()
    {
        var client = Client();
        var target = new ShadowTargetRequest("http://mnist-shadow.ns.svc:8080", "http://mnist-shadow.ns.svc:8081", 0.25, 2);

        var set = await client.SetAsync("127.0.0.1", target, CancellationToken.None);
        Assert.Null(set.Error);
        Assert.Equal(target, set.Target);
        Assert.Equal(["req-7: 'probabilities': row 0: stable top-1 3, shadow top-1 5"], set.Examples);

        Assert.Equal(target, (await client.SetAsync("127.0.0.1", target, CancellationToken.None)).Target); // idempotent
        Assert.Null((await client.ClearAsync("127.0.0.1", CancellationToken.None)).Target);
        Assert.Null((await client.GetAsync("127.0.0.1", CancellationToken.None)).Target);
    }

    [Fact]
    public async Task TargetWithoutGrpc_LeavesTheFieldOut()
    {
        var target = new ShadowTargetRequest("http://10.1.0.1:8080", null, 0.5, 2);
        var set = await Client().SetAsync("127.0.0.1", target, CancellationToken.None);
        Assert.Null(set.Error);
        Assert.Equal(target, set.Target);
    }

    [Fact]
    public async Task RefusedTarget_ComesBackAsTheRuntimesError()
    {
        var state = await Client().SetAsync("127.0.0.1", new ShadowTargetRequest("http://s:8080", null, 2, 2), CancellationToken.None);
        Assert.Null(state.Target);
        Assert.Contains("answered 400: fraction must be a number from 0 to 1, got 2", state.Error);
    }

    [Fact]
    public async Task PodNotAnswering_IsAnError_NotAnException()
    {
        var state = await new ShadowTargetClient(new HttpClient(), FreePort.Closed()).GetAsync("127.0.0.1", CancellationToken.None);
        Assert.StartsWith("GET http://127.0.0.1:", state.Error);
        Assert.Contains("failed", state.Error);
    }
}
