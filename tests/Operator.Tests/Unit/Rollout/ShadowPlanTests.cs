using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>The planner during a shadow phase (issue 23): the model's Service selects stable alone, and selects every revision again after.</summary>
public sealed class ShadowPlanTests
{
    private static readonly OperatorSettings Settings = new("registry.local/model-runtime:test");
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly IntervalVerdict Pass = new(CheckResult.Passed, "Check passed: answers: agreement 1; shadow latency: ok", new RevisionWindow(50, 0, 5), new RevisionWindow(200, 0, 5));

    private static ModelDeployment WithShadow() => Samples.Model(edit: s =>
    {
        s.Model.Uri = "oci://registry.local/models/resnet:1.0";
        s.Replicas = new ReplicasSpec { Min = 2, Max = 4 };
        s.Rollout = new RolloutSpec
        {
            Shadow = new ShadowSpec { Fraction = 1, Duration = "5s", MinRequests = 10 },
            Analysis = new AnalysisSpec { Interval = "5s", MinAgreement = 0.99, FailureLimit = 2 },
        };
    });

    private static V1Deployment Stored(V1Deployment d, int ready)
    {
        var copy = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(d));
        copy.Status = new V1DeploymentStatus { ReadyReplicas = ready };
        return copy;
    }

    private static V1Service Applied(V1Service s) => KubernetesJson.Deserialize<V1Service>(KubernetesJson.Serialize(s));

    private static ShadowMeasurement Agreeing(double n) =>
        new([new OutputMeasurement("probabilities", n, n, [new HistogramBucket(0, n), new HistogramBucket(double.PositiveInfinity, n)])], n, 0, 0, 2);

    [Fact]
    public void DuringTheShadowPhase_TheServiceSelectsStableAlone_AndAfterItEveryRevisionAgain()
    {
        var md = WithShadow();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        var stable = Stored(first.DeploymentToApply!, 2);
        md.Status = first.Status;
        md.Status = ReconcilePlanner.Plan(md, [stable], first.ServiceToApply, Settings, T0).Status ?? md.Status;
        var service = Applied(first.ServiceToApply!);
        md.Spec.Model.Uri = "oci://registry.local/models/resnet:2.0";
        md.Metadata.Generation = 2;

        var start = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddSeconds(10));
        Assert.Equal(2, start.DeploymentToApply!.Spec.Replicas); // fraction 1 of 2 stable pods' requests
        Assert.Equal(md.Status!.StableRevision, start.ServiceToApply!.Spec.Selector[WellKnown.RevisionLabel]);
        md.Status = start.Status;
        service = Applied(start.ServiceToApply);
        var shadow = Stored(start.DeploymentToApply, 2);

        var running = ReconcilePlanner.Plan(md, [stable, shadow], service, Settings, T0.AddSeconds(11));
        Assert.Null(running.ServiceToApply); // already stable-only: no write
        md.Status = running.Status ?? md.Status;

        var passed = ReconcilePlanner.Plan(md, [stable, shadow], service, Settings, T0.AddSeconds(16), new RolloutInputs([], [], Pass, Agreeing(40)));
        Assert.Equal(ShadowStatus.Passed, passed.Status!.Shadow!.Decision);
        Assert.Equal(passed.Revision, passed.Status.StableRevision); // 2 ready of 2: promoted at once
        // The live selector still has the revision key: containment alone would call the plain selector applied.
        Assert.False(passed.ServiceToApply!.Spec.Selector.ContainsKey(WellKnown.RevisionLabel));
    }

    [Fact]
    public void IsAppliedTo_ComparesTheSelectorExactly()
    {
        var md = WithShadow();
        var plain = DesiredService.Build(md);
        var stableOnly = Applied(DesiredService.Build(md, onlyRevision: "aaaaaaaaaa"));

        Assert.True(JsonContainment.IsContainedIn(plain, stableOnly)); // the gotcha
        Assert.False(DesiredService.IsAppliedTo(plain, stableOnly));
        Assert.True(DesiredService.IsAppliedTo(plain, Applied(plain)));
        Assert.False(DesiredService.IsAppliedTo(plain, null));
    }
}
