using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Operator.Admission;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;
using ModelOperator.TestSupport;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>
/// The reconciler's shadow targets (issue 23) against a stand-in stable pod's management port that counts writes:
/// set once during the phase and not again while nothing changed, set again after a container restart, cleared once
/// after the phase, and cleared once by a restarted operator.
/// </summary>
public sealed class ShadowTargetSyncTests : IAsyncLifetime
{
    private const string Stable = "aaaaaaaaaa", Shadow = "bbbbbbbbbb";
    private WebApplication? _app;
    private JsonNode? _target;
    private int _port, _puts, _deletes;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _app = builder.Build();
        _app.MapDelete("/v2/_shadow", () => { Interlocked.Increment(ref _deletes); _target = null; return State(); });
        _app.MapPut("/v2/_shadow", async (HttpContext c) =>
        {
            Interlocked.Increment(ref _puts);
            _target = JsonNode.Parse(await new StreamReader(c.Request.Body).ReadToEndAsync());
            return State();
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private IResult State() => Results.Json(new JsonObject { ["target"] = _target?.DeepClone(), ["examples"] = new JsonArray() });

    private ShadowTargetSync Sync() => new(new ShadowTargetClient(new HttpClient(), _port, TimeSpan.FromSeconds(30)), NullLogger.Instance);

    private static V1Pod Pod(string name, string revision, string ip, int restarts = 0) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = name + "-uid", Labels = new Dictionary<string, string> { [WellKnown.RevisionLabel] = revision } },
        Status = new V1PodStatus
        {
            PodIP = ip,
            Conditions = [new V1PodCondition { Type = WellKnown.AdmittedCondition, Status = "True" }],
            ContainerStatuses = [new V1ContainerStatus { Name = "runtime", RestartCount = restarts }],
        },
    };

    private static readonly ModelDeployment Md = Samples.Model(edit: s => s.Rollout = new RolloutSpec
    {
        Shadow = new ShadowSpec { Fraction = 0.25 },
        Analysis = new AnalysisSpec { MinAgreement = 0.9 },
    });

    private static ModelDeploymentStatus Status(string decision) =>
        new() { StableRevision = Stable, CanaryRevision = Shadow, Shadow = new ShadowStatus { Revision = Shadow, Decision = decision } };

    private static RolloutInputs Inputs(params V1Pod[] pods) => new(pods, [], null);

    [Fact]
    public async Task TargetIsSetOnceDuringThePhase_AgainAfterARestart_AndClearedOnceAfter()
    {
        var sync = Sync();
        var shadowPod = Pod("m-bbb-1", Shadow, "10.1.0.9");

        await sync.SyncAsync(Md, Status(ShadowStatus.Running), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1"), shadowPod), CancellationToken.None);
        await sync.SyncAsync(Md, Status(ShadowStatus.Running), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1"), shadowPod), CancellationToken.None);
        Assert.Equal((1, 0), (_puts, _deletes));
        Assert.Equal("http://10.1.0.9:8080", _target!["url"]!.GetValue<string>());
        Assert.Equal(0.25, _target["fraction"]!.GetValue<double>());

        // The stable pod's container restarted and forgot its target.
        await sync.SyncAsync(Md, Status(ShadowStatus.Running), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1", restarts: 1), shadowPod), CancellationToken.None);
        Assert.Equal(2, _puts);

        await sync.SyncAsync(Md, Status(ShadowStatus.Failed), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1", restarts: 1)), CancellationToken.None);
        await sync.SyncAsync(Md, Status(ShadowStatus.Failed), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1", restarts: 1)), CancellationToken.None);
        Assert.Equal((2, 1), (_puts, _deletes));
        Assert.Null(_target);
    }

    [Fact]
    public async Task ARestartedOperator_ClearsEachStablePodOnce_AfterAPhase_AndWritesNothingBeforeAShadowPodIsAdmitted()
    {
        await Sync().SyncAsync(Md, Status(ShadowStatus.Running), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1")), CancellationToken.None);
        Assert.Equal((0, 0), (_puts, _deletes)); // no shadow pod yet: nothing to mirror to, nothing to clear

        var restarted = Sync();
        await restarted.SyncAsync(Md, Status(ShadowStatus.Passed), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1")), CancellationToken.None);
        await restarted.SyncAsync(Md, Status(ShadowStatus.Passed), Shadow, Inputs(Pod("m-aaa-1", Stable, "127.0.0.1")), CancellationToken.None);
        Assert.Equal((0, 1), (_puts, _deletes));
    }
}
