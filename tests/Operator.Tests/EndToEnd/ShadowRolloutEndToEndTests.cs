using System.Diagnostics;
using System.Text;
using System.Text.Json;
using k8s;
using ModelOperator.Operator.Admission;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Shadow rollouts (issue 23) on the dev cluster under live load through the model's Service: the new revision answers
/// copies of the requests the stable pods answered, the stable pods compare the answers, and the operator promotes or
/// rolls back on them. Every user answer is checked against stable's top-1, so a user who got a shadow's answer would
/// be a failed request. Durations are seconds so each test fits a minute or two on a small machine.
/// </summary>
[Trait("Category", "DevCluster")]
public sealed class ShadowRolloutEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PodStart = TimeSpan.FromMinutes(3);

    private const int Interval = 3, FailureLimit = 2;

    private static Action<ModelDeploymentSpec> Shadow(string duration, int failureLimit = FailureLimit, int minRequests = 20) => s => s.Rollout = new RolloutSpec
    {
        Shadow = new ShadowSpec { Fraction = 1, Duration = duration, MinRequests = minRequests },
        Analysis = new AnalysisSpec { Interval = $"{Interval}s", MinAgreement = 0.99, FailureLimit = failureLimit },
    };

    [Fact]
    public async Task SameModelAsANewRevision_PassesTheShadowPhase_GoesOnToItsCanaryStep_AndIsPromoted_WithNoFailedRequest()
    {
        await using var cluster = await DevClusterWithOperator.StartAsync(output);
        await cluster.CreateAsync(DevClusterWithOperator.Model("cnn-twin", "mnist-cnn", s =>
        {
            Shadow("6s")(s);
            s.Rollout!.Steps = [new RolloutStep { Weight = 50, Pause = "2s" }];
        }));
        var v1 = await cluster.StableAsync("cnn-twin");
        var infer = await cluster.ServingInferUriAsync("cnn-twin");
        var top1 = await Top1Async(infer);
        await using var load = new ServiceLoad(infer, answerCheck: StableAnswer(top1));

        // The same model with another benchmark setting: a new revision whose answers are identical.
        await cluster.PatchSpecAsync("cnn-twin", new { benchmark = new { iterations = 11 } });
        var v2 = await Eventually.ValueAsync(() => cluster.Model("cnn-twin").Status?.Shadow?.Revision, "the shadow revision", PodStart);
        Assert.NotEqual(v1, v2);
        await Eventually.TrueAsync(() => cluster.ReadyPods("cnn-twin", v2) > 0, "a shadow pod to be admitted and Ready", PodStart);
        var selector = (await cluster.Client.CoreV1.ReadNamespacedServiceAsync("cnn-twin", "default")).Spec.Selector;
        Assert.Equal(v1, selector[WellKnown.RevisionLabel]); // users reach stable alone during the phase
        Assert.Equal(0, cluster.Model("cnn-twin").Status!.CanaryWeight);

        // Passed: the stable pods stop mirroring and users reach the new revision as a canary at its step's weight.
        await Eventually.TrueAsync(() => cluster.Model("cnn-twin").Status is { Shadow.Decision: ShadowStatus.Passed } s && (s.CanaryWeight > 0 || s.StableRevision == v2),
            "the shadow to pass and the canary step to take user traffic", PodStart);
        if (cluster.Pods("cnn-twin", v1).FirstOrDefault(DevClusterWithOperator.IsReady) is { } stablePod)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var client = new ShadowTargetClient(http, timeout: TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () => cluster.Pods("cnn-twin", v1).Count == 0 || (await client.GetAsync(stablePod.Status.PodIP, CancellationToken.None)) is { Error: null, Target: null },
                "the stable pod's shadow target to be cleared after the phase", TimeSpan.FromSeconds(30));
        }
        await Eventually.TrueAsync(() => cluster.Model("cnn-twin").Status?.StableRevision == v2, "the canary to be promoted", PodStart);
        var status = cluster.Model("cnn-twin").Status!;
        output.WriteLine($"status.shadow: {KubernetesJson.Serialize(status.Shadow)}");
        foreach (var e in await cluster.EventsAsync("cnn-twin")) output.WriteLine($"{e.Reason}: {e.Message}");
        Assert.Equal((ShadowStatus.Passed, 1d), (status.Shadow!.Decision, status.Shadow.Agreement));
        Assert.True(status.Shadow.Compared >= 20, $"passed with {status.Shadow.Compared} compared, below minRequests 20");
        Assert.Equal("Promoted", status.History!.Last().Outcome);
        await Eventually.TrueAsync(async () => !(await cluster.Client.CoreV1.ReadNamespacedServiceAsync("cnn-twin", "default")).Spec.Selector.ContainsKey(WellKnown.RevisionLabel),
            "the Service to select every revision again", TimeSpan.FromSeconds(30));
        Assert.True(load.Ok > 0, "no request succeeded");
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Ok + load.Failed} requests failed: {string.Join(" | ", load.Failures)}");
        output.WriteLine($"Requests: {load.Ok} ok, {load.Failed} failed");
    }

    [Fact]
    public async Task SameSignatureAndSpeedButOtherAnswers_IsRolledBackOnMinAgreement_AndNoUserGetsItsAnswers()
    {
        await using var cluster = await DevClusterWithOperator.StartAsync(output);
        await cluster.CreateAsync(DevClusterWithOperator.Model("cnn-wrong", "mnist-cnn", Shadow("1m")));
        var v1 = await cluster.StableAsync("cnn-wrong");
        var infer = await cluster.ServingInferUriAsync("cnn-wrong");
        var top1 = await Top1Async(infer);
        await using var load = new ServiceLoad(infer, answerCheck: StableAnswer(top1));

        await cluster.PatchSpecAsync("cnn-wrong", new { model = new { uri = DevClusterWithOperator.ModelUri("mnist-cnn-wrong") } });
        var wrong = await Eventually.ValueAsync(() => cluster.Model("cnn-wrong").Status?.Shadow?.Revision, "the shadow revision", PodStart);
        // The shadow gets only copies, so the first request it serves is the first mirrored one.
        var firstCopy = await DevClusterWithOperator.WhenAsync(async () => cluster.ReadyPods("cnn-wrong", wrong) > 0 && await cluster.RequestsServedAsync("cnn-wrong", wrong) > 0,
            "the shadow's first mirrored request", PodStart);
        var decided = await DevClusterWithOperator.WhenAsync(() => Task.FromResult(RolledBack(cluster.Model("cnn-wrong")) is not null), "RolledBack=True", PodStart);
        var rolledBack = RolledBack(cluster.Model("cnn-wrong"))!;

        var status = cluster.Model("cnn-wrong").Status!;
        output.WriteLine($"{rolledBack.Reason}: {rolledBack.Message}");
        output.WriteLine($"status.shadow: {KubernetesJson.Serialize(status.Shadow)}");
        var verdicts = (await cluster.EventsAsync("cnn-wrong")).Where(e => e.Reason.StartsWith("Analysis", StringComparison.Ordinal)).OrderBy(e => e.LastTimestamp ?? e.EventTime).ToList();
        output.WriteLine($"first mirrored request → rollback decision {(decided - firstCopy).TotalSeconds:0.0}s");
        if (Environment.GetEnvironmentVariable("BENCH_ROLLOUT_SHADOW_OUT") is { Length: > 0 } benchOut)
            await File.WriteAllTextAsync(benchOut, string.Join(Environment.NewLine,
                "shadow_path wrong answers (mnist-cnn-wrong) as shadow, fraction 1, minAgreement 0.99",
                $"shadow_interval_seconds {Interval}", $"shadow_failure_limit {FailureLimit}", $"shadow_target_decision_seconds {Interval * FailureLimit + 5}",
                $"shadow_first_mirrored_request_to_rollback_decision_seconds {(decided - firstCopy).TotalSeconds:0.0}",
                $"shadow_requests_ok {load.Ok}", $"shadow_requests_failed {load.Failed}", $"shadow_rolled_back_message {rolledBack.Message}")
                + Environment.NewLine + string.Join(Environment.NewLine, verdicts.Select(e => $"shadow_interval_verdict {e.LastTimestamp ?? e.EventTime:HH:mm:ss} {e.Reason}: {e.Message}")) + Environment.NewLine);
        Assert.Equal("ShadowAnalysisFailed", rolledBack.Reason);
        Assert.Contains("below minAgreement 0.99", rolledBack.Message);
        Assert.Matches(@"stable top-1 \d, shadow top-1 \d", rolledBack.Message);
        Assert.Equal((v1, wrong), (status.StableRevision, status.FailedRevision));
        Assert.Equal((ShadowStatus.Failed, 0d), (status.Shadow!.Decision, status.Shadow.Agreement));
        // The Event follows the status write.
        await Eventually.TrueAsync(async () => (await cluster.EventsAsync("cnn-wrong")).Any(e => e.Reason == "RolledBack" && e.Message.Contains("agreement 0 over")),
            "the RolledBack Event with the measured agreement", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => cluster.ReadyPods("cnn-wrong", wrong) == 0, "the wrong revision's pods to go", PodStart);

        // The stable pods stop mirroring once the phase is over.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var client = new ShadowTargetClient(http, timeout: TimeSpan.FromSeconds(10));
        foreach (var pod in cluster.Pods("cnn-wrong", v1).Where(DevClusterWithOperator.IsReady))
            await Eventually.TrueAsync(async () => (await client.GetAsync(pod.Status.PodIP, CancellationToken.None)) is { Error: null, Target: null },
                $"stable pod {pod.Metadata.Name}'s shadow target to be cleared", TimeSpan.FromSeconds(30));
        Assert.True(load.Ok > 0, "no request succeeded");
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Ok + load.Failed} requests failed or got another answer: {string.Join(" | ", load.Failures)}");
        output.WriteLine($"Requests: {load.Ok} ok, {load.Failed} failed");
        // A loose bound that catches an analysis that never decides; `make bench-rollout` reports the time against
        // the target interval × failureLimit + 5 s.
        var bound = TimeSpan.FromSeconds(Interval * (FailureLimit + 2) + 15);
        Assert.True(decided - firstCopy <= bound, $"rolled back {(decided - firstCopy).TotalSeconds:0.0}s after the first mirrored request; expected within {bound.TotalSeconds}s");
    }

    private static ModelOperator.Operator.Api.Condition? RolledBack(ModelDeployment md) =>
        md.Status?.Conditions?.FirstOrDefault(c => c is { Type: "RolledBack", Status: "True" });

    [Fact]
    public async Task ShadowCrashingOrScaledDown_NeverFailsAUserRequest()
    {
        await using var cluster = await DevClusterWithOperator.StartAsync(output);
        // A phase longer than the test and a failureLimit it cannot reach: the shadow stays a shadow while it dies.
        await cluster.CreateAsync(DevClusterWithOperator.Model("cnn-crash", "mnist-cnn", Shadow("10m", failureLimit: 50)));
        var v1 = await cluster.StableAsync("cnn-crash");
        var infer = await cluster.ServingInferUriAsync("cnn-crash");
        await using var load = new ServiceLoad(infer, answerCheck: StableAnswer(await Top1Async(infer)));

        await cluster.PatchSpecAsync("cnn-crash", new { benchmark = new { iterations = 11 } });
        var v2 = await Eventually.ValueAsync(() => cluster.Model("cnn-crash").Status?.Shadow?.Revision, "the shadow revision", PodStart);
        await Eventually.TrueAsync(() => cluster.Model("cnn-crash").Status?.Shadow?.Compared > 0, "the first compared copies in status.shadow", PodStart);

        // Crash: the shadow's process is killed while copies are in flight; the kubelet restarts it.
        var shadowPod = cluster.Pods("cnn-crash", v2).Single(DevClusterWithOperator.IsReady);
        await DevClusterWithOperator.KillContainerAsync(shadowPod);
        // Users are served the whole time the shadow is down, until it is back and Ready.
        await Eventually.TrueAsync(() => cluster.Pods("cnn-crash", v2).Any(p => p.Status?.ContainerStatuses?.Single().RestartCount > 0 && DevClusterWithOperator.IsReady(p)),
            "the shadow container to restart and be Ready again", PodStart);

        // Scaled down: every shadow pod deleted at once; the Deployment brings a new one.
        var gone = cluster.Pods("cnn-crash", v2).Select(p => p.Metadata.Name).ToHashSet();
        foreach (var name in gone)
            await cluster.Client.CoreV1.DeleteNamespacedPodAsync(name, "default", new k8s.Models.V1DeleteOptions { GracePeriodSeconds = 0 });
        var replacement = await Eventually.ValueAsync(() => cluster.Pods("cnn-crash", v2).FirstOrDefault(p => !gone.Contains(p.Metadata.Name) && DevClusterWithOperator.IsReady(p)),
            "a new shadow pod to be admitted and Ready", PodStart);

        // The stable pod is pointed at the new shadow pod, and its copies are compared again.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var client = new ShadowTargetClient(http, timeout: TimeSpan.FromSeconds(10));
        var stablePod = cluster.Pods("cnn-crash", v1).Single(DevClusterWithOperator.IsReady);
        await Eventually.TrueAsync(async () => (await client.GetAsync(stablePod.Status.PodIP, CancellationToken.None)).Target?.Url == $"http://{replacement.Status.PodIP}:{WellKnown.RuntimePort}",
            $"the stable pod to mirror to the new shadow pod {replacement.Metadata.Name}", TimeSpan.FromMinutes(1));
        var compared = cluster.Model("cnn-crash").Status!.Shadow!.Compared;
        await Eventually.TrueAsync(() => cluster.Model("cnn-crash").Status?.Shadow?.Compared > compared + 20, "copies to the new shadow pod compared in status.shadow", TimeSpan.FromMinutes(1));

        var status = cluster.Model("cnn-crash").Status!;
        output.WriteLine($"status.shadow: {KubernetesJson.Serialize(status.Shadow)}");
        Assert.Equal(v1, status.StableRevision);
        Assert.True(cluster.ReadyPods("cnn-crash", v1) > 0, "the stable pod left the Service");
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Ok + load.Failed} requests failed or got another answer: {string.Join(" | ", load.Failures)}");
        output.WriteLine($"Requests: {load.Ok} ok, {load.Failed} failed");
    }

    // Stable's top-1 for the load's request, asked once before the rollout.
    private static async Task<int> Top1Async(Uri infer)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var content = new StringContent(ServiceLoad.RequestBody, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(infer, content);
        response.EnsureSuccessStatusCode();
        return Top1(await response.Content.ReadAsStringAsync());
    }

    private static Func<string, string?> StableAnswer(int top1) => body =>
        Top1(body) is var got && got == top1 ? null : $"top-1 {got} where stable answers {top1}";

    private static int Top1(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var data = doc.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToList();
        return data.IndexOf(data.Max());
    }
}
