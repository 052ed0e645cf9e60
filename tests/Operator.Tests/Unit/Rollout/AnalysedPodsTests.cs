using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>Which pods the canary analysis measures, and what that means for the first interval (issue 23, time to a decision).</summary>
public sealed class AnalysedPodsTests
{
    private const string Canary = "bbbbbbbbbb";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static V1Pod Pod(string name, string revision = Canary, string? admitted = "True", bool ready = true, bool deleting = false, string? ip = "10.0.0.1") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { [WellKnown.RevisionLabel] = revision },
            DeletionTimestamp = deleting ? T0.UtcDateTime : null,
        },
        Status = new V1PodStatus
        {
            PodIP = ip,
            Conditions = [
                new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" },
                .. admitted is null ? Array.Empty<V1PodCondition>() : [new V1PodCondition { Type = WellKnown.AdmittedCondition, Status = admitted }],
            ],
        },
    };

    private static PodVerdict Verdict(string pod, bool? admitted, string revision = Canary) =>
        new(pod, revision, "node-1", new AdmissionDecision(admitted, admitted == true ? "Admitted" : "BenchmarkGateFailed", ""), []);

    private static IReadOnlyList<string> Names(IReadOnlyList<V1Pod> pods) => pods.Select(p => p.Metadata.Name).ToList();

    [Fact]
    public void AdmittedPodThatIsBrieflyNotReady_IsStillMeasured()
    {
        // A busy canary whose readiness probe timed out once served the interval's traffic; leaving it out lost its
        // history and made the next interval inconclusive.
        var pods = new[] { Pod("c-0", ready: false), Pod("c-1") };
        Assert.Equal(["c-0", "c-1"], Names(AnalysedPods.Of(pods, [], Canary)));
    }

    [Fact]
    public void PodAdmittedByThisReconcile_IsMeasuredBeforeItsConditionIsOnThePod()
    {
        var pods = new[] { Pod("c-0", admitted: null, ready: false) };
        Assert.Equal(["c-0"], Names(AnalysedPods.Of(pods, [Verdict("c-0", true)], Canary)));
        Assert.Empty(AnalysedPods.Of(pods, [], Canary)); // not admitted yet: still benchmarking, its counters are not user traffic
    }

    [Fact]
    public void ThisReconcilesRefusal_WinsOverAnOlderAdmittedCondition()
    {
        var pods = new[] { Pod("c-0") };
        Assert.Empty(AnalysedPods.Of(pods, [Verdict("c-0", false)], Canary));
    }

    [Fact]
    public void DeletedPods_PodsWithoutIp_RefusedPods_AndOtherRevisions_AreLeftOut()
    {
        var pods = new[]
        {
            Pod("c-deleting", deleting: true), Pod("c-no-ip", ip: null), Pod("c-refused", admitted: "False"),
            Pod("s-0", revision: "aaaaaaaaaa"), Pod("c-ok"),
        };
        Assert.Equal(["c-ok"], Names(AnalysedPods.Of(pods, [], Canary)));
    }

    // The first interval after admission: with the baseline laid in the reconcile that admits the pod, the interval
    // that ends one interval after the canary's first traffic is conclusive; without it (the first scrape at the
    // check) it was inconclusive and the decision came one interval later.
    [Fact]
    public void BaselineAtAdmission_MakesTheFirstIntervalConclusive()
    {
        var withBaseline = new MetricsHistory(Interval * 2);
        withBaseline.Record(Scrape("c-0", T0, requests: 3));                 // admitted: the admission's own reads
        withBaseline.Record(Scrape("c-0", T0 + Interval, requests: 103));    // first check
        var first = RevisionWindows.From(withBaseline.Measure(["c-0"], T0 + Interval, Interval));
        Assert.Equal(100, first!.Requests);
        Assert.Equal(CheckResult.Failed, IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ms = 20 }, first, null).Result);

        var withoutBaseline = new MetricsHistory(Interval * 2);
        withoutBaseline.Record(Scrape("c-0", T0 + Interval, requests: 103));
        var measured = withoutBaseline.Measure(["c-0"], T0 + Interval, Interval);
        var v = IntervalAnalysis.Analyze(new AnalysisSpec { MaxP95Ms = 20 }, RevisionWindows.From(measured), null, RevisionWindows.NoWindowReason(measured));
        Assert.Equal(CheckResult.Inconclusive, v.Result);
        Assert.Equal("Check inconclusive: no canary pod has a full interval yet (c-0: one scrape so far; a window needs two)", v.Message);
    }

    // Every request in the 50ms bucket: over any maxP95Ms of 20.
    private static PodScrape Scrape(string pod, DateTimeOffset at, double requests) => PodScrape.Ok(pod, at, PrometheusTextParser.Parse($$"""
        modelruntime_requests_total{model="m",outcome="ok"} {{requests}}
        modelruntime_request_duration_seconds_bucket{model="m",outcome="ok",le="0.01"} 0
        modelruntime_request_duration_seconds_bucket{model="m",outcome="ok",le="0.05"} {{requests}}
        modelruntime_request_duration_seconds_bucket{model="m",outcome="ok",le="+Inf"} {{requests}}
        """));
}
