using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

/// <summary>The shadow phase's pure decisions (issue 23): when it passes, keeps mirroring or fails, and what it says.</summary>
public sealed class ShadowPhaseTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly ShadowSettings Settings = new(0.1, TimeSpan.FromSeconds(30), MinRequests: 100);
    private static readonly AnswerChecks Checks = new(MinAgreement: 0.95, MaxOutputDiff: null);

    // An interval of the stable pods' mirroring: 'compared' requests on one output, 'agreeing' of them, every max |diff| at most 'diff'.
    private static ShadowMeasurement Interval(double compared, double agreeing, double diff = 0, string output = "probabilities") =>
        new([new OutputMeasurement(output, compared, agreeing, [new HistogramBucket(diff, compared), new HistogramBucket(double.PositiveInfinity, compared)])],
            Mirrored: compared, Failures: 0, Dropped: 0, PodsMeasured: 1);

    private static IntervalVerdict Verdict(CheckResult r) => new(r, $"Check {r.ToString().ToLowerInvariant()}: x", null, null);

    [Fact]
    public void ClockStarts_WithTheFirstReadyShadowPod()
    {
        var waiting = ShadowPhase.Decide(Settings, Checks, 2, new ShadowProgress(), readyShadow: 0, null, null, T0);
        Assert.Equal((ShadowOutcome.Continue, null), (waiting.Outcome, waiting.Progress.StartTime));
        Assert.Contains("Waiting for a ready shadow pod", waiting.Message);

        var started = ShadowPhase.Decide(Settings, Checks, 2, waiting.Progress, readyShadow: 1, null, null, T0.AddSeconds(7));
        Assert.Equal(T0.AddSeconds(7), started.Progress.StartTime);
    }

    public static TheoryData<string, int, double, CheckResult, ShadowOutcome, string> Rows => new()
    {
        // name, seconds since start, compared so far (after this interval), this interval's verdict, outcome, in the message
        { "passes after duration with minRequests and a passed check", 30, 100, CheckResult.Passed, ShadowOutcome.Passed, "Shadow phase passed after 30s" },
        { "duration not over", 29, 500, CheckResult.Passed, ShadowOutcome.Continue, "1s of duration 30s left" },
        { "too few compared requests", 60, 99, CheckResult.Passed, ShadowOutcome.Continue, "99 of minRequests 100 compared" },
        { "only inconclusive checks", 60, 500, CheckResult.Inconclusive, ShadowOutcome.Continue, "no conclusive check yet" },
        { "one failed check below failureLimit", 60, 500, CheckResult.Failed, ShadowOutcome.Continue, "the last conclusive check failed" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decision(string name, int seconds, double compared, CheckResult verdict, ShadowOutcome expected, string message)
    {
        var start = new ShadowProgress(StartTime: T0);
        var step = ShadowPhase.Decide(Settings, Checks, failureLimit: 2, start, readyShadow: 1, Verdict(verdict), Interval(compared, compared), T0.AddSeconds(seconds));
        Assert.True(expected == step.Outcome, $"{name}: {step.Outcome}: {step.Message}");
        Assert.Contains(message, step.Message);
    }

    [Fact]
    public void FailedChecksReachingFailureLimit_FailWithTheMeasuredAgreementAndDiff_AndTheLastCheck()
    {
        var p = new ShadowProgress(StartTime: T0);
        var first = ShadowPhase.Decide(Settings, Checks, 2, p, 1, Verdict(CheckResult.Failed), Interval(50, 40, diff: 0.3), T0.AddSeconds(5));
        Assert.Equal(ShadowOutcome.Continue, first.Outcome);
        var second = ShadowPhase.Decide(Settings, Checks, 2, first.Progress,
            1, new IntervalVerdict(CheckResult.Failed, "Check failed: agreement 0.5 on 'probabilities' is below minAgreement 0.95; e.g. req-7: row 0: stable top-1 3, shadow top-1 5", null, null),
            Interval(50, 25, diff: 0.3), T0.AddSeconds(10));

        Assert.Equal(ShadowOutcome.Failed, second.Outcome);
        Assert.Equal((2, 100.0, 0.65), (second.Progress.FailedChecks, second.Progress.Compared, second.Progress.Agreement));
        Assert.InRange(second.Progress.LargestDiff!.Value, 0.29, 0.3); // the p99 inside the histogram's (0, 0.3] bucket
        Assert.StartsWith("2 failed checks reached failureLimit 2 in the shadow phase (agreement 0.65 over 100 compared, largest p99 max |diff| 0.29", second.Message);
        Assert.Contains("req-7: row 0: stable top-1 3, shadow top-1 5", second.Message);
    }

    [Fact]
    public void Tallies_SumOverIntervals_PerCheckedOutput_AndComparedIsTheLeastOverOutputs()
    {
        var checks = new AnswerChecks(0.9, null, Outputs: ["boxes", "scores"]);
        var p = new ShadowProgress(StartTime: T0);
        var m1 = new ShadowMeasurement(
            [Out("scores", 40, 40), Out("boxes", 30, 27), Out("ignored", 40, 0)], Mirrored: 45, Failures: 0, Dropped: 0, PodsMeasured: 2);
        var m2 = new ShadowMeasurement([Out("scores", 60, 60), Out("boxes", 60, 60)], Mirrored: 60, Failures: 0, Dropped: 0, PodsMeasured: 2);

        p = ShadowPhase.Decide(Settings, checks, 3, p, 1, Verdict(CheckResult.Passed), m1, T0.AddSeconds(10)).Progress;
        p = ShadowPhase.Decide(Settings, checks, 3, p, 1, Verdict(CheckResult.Passed), m2, T0.AddSeconds(20)).Progress;

        Assert.Equal([("boxes", 90.0, 87.0), ("scores", 100.0, 100.0)], p.Outputs!.Select(t => (t.Output, t.Compared, t.Agreeing)));
        Assert.Equal((90.0, 105.0), (p.Compared, p.Mirrored));
        Assert.Equal(87.0 / 90, p.Agreement, 6);
    }

    private static OutputMeasurement Out(string name, double compared, double agreeing) =>
        new(name, compared, agreeing, [new HistogramBucket(0, compared), new HistogramBucket(double.PositiveInfinity, compared)]);

    [Theory]
    [InlineData(CheckResult.Passed, CheckResult.Passed, CheckResult.Passed)]
    [InlineData(CheckResult.Passed, CheckResult.Failed, CheckResult.Failed)]
    [InlineData(CheckResult.Failed, CheckResult.Passed, CheckResult.Failed)]
    [InlineData(CheckResult.Inconclusive, CheckResult.Failed, CheckResult.Failed)]
    [InlineData(CheckResult.Passed, CheckResult.Inconclusive, CheckResult.Inconclusive)]  // never passes without compared answers
    [InlineData(CheckResult.Inconclusive, CheckResult.Passed, CheckResult.Inconclusive)]  // nor on answers alone
    public void Judge_JoinsTheShadowsLatencyAndTheAnswers(CheckResult latency, CheckResult answers, CheckResult expected)
    {
        var v = ShadowPhase.Judge(
            new IntervalVerdict(latency, $"Check {latency.ToString().ToLowerInvariant()}: canary p95 3ms", null, null),
            new IntervalVerdict(answers, $"Check {answers.ToString().ToLowerInvariant()}: agreement 1", null, null));

        Assert.Equal(expected, v.Result);
        Assert.EndsWith("answers: agreement 1; shadow latency: canary p95 3ms", v.Message);
    }
}
