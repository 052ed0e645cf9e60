using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.ScaleToZero;

namespace ModelOperator.Operator.Tests.Unit.ScaleToZero;

/// <summary>status.coldStart from the pod's condition times (seconds) and the pod's own report (milliseconds); pure.</summary>
public sealed class ColdStartClockTests
{
    private static readonly DateTime Demand = new(2026, 12, 7, 10, 0, 0, 250, DateTimeKind.Utc);

    private static V1Pod Pod(string name, int scheduled, int started, int containersReady, int ready) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [WellKnown.RevisionLabel] = "r1" } },
        Status = new V1PodStatus
        {
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = At(scheduled) },
                new V1PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = At(containersReady) },
                new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = At(ready) },
            ],
            ContainerStatuses = [new V1ContainerStatus { Name = "runtime", State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = At(started) } } }],
        },
    };

    // Whole seconds after the demand's second, as the API keeps condition times.
    private static DateTime At(int second) => new DateTime(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc).AddSeconds(second);

    [Fact]
    public void PartsComeFromTheConditions_AndSumToTheTotal_WithoutTheRuntimesSplit_WhenThePodReportedNone()
    {
        var record = ColdStartClock.Measure(Demand, "r1", [Pod("p", scheduled: 0, started: 1, containersReady: 3, ready: 4)])!;

        Assert.Equal(3.8, record.Seconds); // from 0.25 s to 4 s
        Assert.Equal((0.0, 0.8, 2.0, 1.0), (record.ScheduleSeconds!.Value, record.PullSeconds!.Value, record.LoadAndBenchmarkSeconds!.Value, record.AdmissionSeconds!.Value));
        Assert.Equal(record.Seconds, record.ScheduleSeconds + record.PullSeconds + record.LoadAndBenchmarkSeconds + record.AdmissionSeconds);
        Assert.Null(record.FetchSeconds);
    }

    [Fact]
    public void TheAdmittedPodsOwnReport_SplitsLoadAndBenchmark_IntoProcessFetchLoadAndBenchmark()
    {
        ModelSourceRecord[] sources =
        [
            new() { Pod = "other", Startup = new PodStartupRecord { FetchSeconds = 9 } },
            new() { Pod = "p", Cache = "hit", Startup = new PodStartupRecord { ProcessSeconds = 0.412, FetchSeconds = 0.031, LoadSeconds = 0.26, BenchmarkSeconds = 1.149 } },
        ];

        var record = ColdStartClock.Measure(Demand, "r1", [Pod("p", 0, 1, 3, 4)], sources)!;

        Assert.Equal((0.4, 0.0, 0.3, 1.1), (record.ProcessSeconds!.Value, record.FetchSeconds!.Value, record.LoadSeconds!.Value, record.BenchmarkSeconds!.Value));
        Assert.Equal(2.0, record.LoadAndBenchmarkSeconds); // the conditions' part is kept; the split lies within it
    }

    [Fact]
    public void Record_WritesOnceWithTheEvent_ThenAddsThePodsSplitWhenItsReportArrives_WithoutASecondEvent()
    {
        var md = new ModelDeployment
        {
            Metadata = new V1ObjectMeta { Name = "m", Annotations = new Dictionary<string, string> { [Operator.ScaleToZero.Demand.Annotation] = Operator.ScaleToZero.Demand.Value(Demand) } },
            Spec = new ModelDeploymentSpec { Autoscaling = new AutoscalingSpec { ScaleToZero = new ScaleToZeroSpec { IdleAfter = "5m" } } },
        };
        var status = new ModelDeploymentStatus();
        V1Pod[] pods = [Pod("p", 0, 1, 3, 4)];

        var first = ScaleToZeroStatus.Record(md, status, "r1", pods);
        var unchanged = ScaleToZeroStatus.Record(md, status, "r1", pods);
        status.ModelSources = [new ModelSourceRecord { Pod = "p", Startup = new PodStartupRecord { ProcessSeconds = 0.5, FetchSeconds = 0.2, LoadSeconds = 0.3, BenchmarkSeconds = 0.9 } }];
        var split = ScaleToZeroStatus.Record(md, status, "r1", pods);

        Assert.NotNull(first);
        Assert.Equal("ColdStarted", first.Reason);
        Assert.Null(unchanged);
        Assert.Null(split);
        Assert.Equal((0.5, 0.2, 0.3, 0.9), (status.ColdStart!.ProcessSeconds!.Value, status.ColdStart.FetchSeconds!.Value, status.ColdStart.LoadSeconds!.Value, status.ColdStart.BenchmarkSeconds!.Value));
        Assert.Equal(3.8, status.ColdStart.Seconds);
    }
}
