using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

public sealed class AdmissionDeciderTests
{
    private static readonly ModelSignature Stable = new([new TensorSignature("x", "FP32", [1, 24, 96])], [new TensorSignature("y", "FP32", [1, 1])]);

    private static ModelDeploymentSpec Spec(double? maxP95 = null, double? minThroughput = null, bool? allowSignatureChange = null) => new()
    {
        Model = new ModelSource { Uri = "oci://r/m:1" },
        Benchmark = new BenchmarkSpec { Gate = maxP95 is null && minThroughput is null ? null : new BenchmarkGate { MaxP95Ms = maxP95, MinThroughput = minThroughput } },
        Rollout = allowSignatureChange is null ? null : new RolloutSpec { AllowSignatureChange = allowSignatureChange },
    };

    private static PodReport Pod(double p95, double throughput, string status = "completed", ModelSignature? signature = null) =>
        new("gpu-node-1", status, [new BenchmarkResult { BatchSize = 1, P95Ms = p95, Throughput = throughput, Node = "gpu-node-1" }], null, signature ?? Stable);

    [Theory]
    [InlineData(10.0, 10.0, true)]        // exactly at the limit passes
    [InlineData(10.001, 10.0, false)]     // just over fails
    [InlineData(double.NaN, 10.0, false)] // not a number fails
    public void MaxP95Gate(double measured, double limit, bool admitted)
    {
        var d = AdmissionDecider.Decide(Spec(maxP95: limit), Stable, Pod(measured, 100));
        Assert.Equal(admitted, d.Admitted);
        if (!admitted)
        {
            Assert.Equal(AdmissionDecision.GateFailed, d.Reason);
            Assert.Contains("gpu-node-1", d.Message);
            Assert.Contains($"maxP95Ms {limit}", d.Message);
        }
    }

    [Theory]
    [InlineData(50.0, 50.0, true)]
    [InlineData(49.99, 50.0, false)]
    [InlineData(double.NaN, 50.0, false)]
    public void MinThroughputGate(double measured, double limit, bool admitted)
    {
        var d = AdmissionDecider.Decide(Spec(minThroughput: limit), Stable, Pod(1, measured));
        Assert.Equal(admitted, d.Admitted);
    }

    [Fact]
    public void GateFailure_MessageHasTheMeasuredNumbersAndTheNode()
    {
        var d = AdmissionDecider.Decide(Spec(maxP95: 5, minThroughput: 200), Stable, Pod(7.25, 120));
        Assert.Equal("Benchmark gate failed on node gpu-node-1: p95 7.25ms at batch 1 exceeds maxP95Ms 5; best throughput 120/s is below minThroughput 200/s", d.Message);
    }

    [Fact]
    public void P95Limit_HoldsAtEveryBatchSize_ThroughputAtTheBest()
    {
        var pod = Pod(1, 100) with { Results =
        [
            new BenchmarkResult { BatchSize = 1, P95Ms = 2, Throughput = 100 },
            new BenchmarkResult { BatchSize = 8, P95Ms = 12, Throughput = 600 },
        ] };
        Assert.False(AdmissionDecider.Decide(Spec(maxP95: 10), Stable, pod).Admitted);
        Assert.True(AdmissionDecider.Decide(Spec(minThroughput: 500), Stable, pod).Admitted);
    }

    [Fact]
    public void NoGate_AdmitsAndSaysWhatWasMeasured()
    {
        var d = AdmissionDecider.Decide(Spec(), Stable, Pod(3, 40));
        Assert.True(d.Admitted);
        Assert.Contains("batch 1 p95 3ms 40/s", d.Message);
    }

    [Fact]
    public void GateWithNoResults_Fails()
    {
        var d = AdmissionDecider.Decide(Spec(maxP95: 5), Stable, Pod(1, 1) with { Results = [] });
        Assert.Equal((false, AdmissionDecision.GateFailed), (d.Admitted, d.Reason));
    }

    [Theory]
    [InlineData("pending", null)]
    [InlineData("running", null)]
    [InlineData("failed", false)]
    [InlineData("bogus", false)]
    public void BenchmarkNotCompleted(string status, bool? admitted)
    {
        Assert.Equal(admitted, AdmissionDecider.Decide(Spec(maxP95: 5), Stable, Pod(1, 1, status)).Admitted);
    }

    [Fact]
    public void SkippedBenchmark_PassesWithoutGate_FailsWithOne()
    {
        Assert.True(AdmissionDecider.Decide(Spec(), Stable, Pod(1, 1, "skipped") with { Results = [] }).Admitted);
        Assert.False(AdmissionDecider.Decide(Spec(maxP95: 5), Stable, Pod(1, 1, "skipped") with { Results = [] }).Admitted);
    }

    [Fact]
    public void ChangedSignature_IsRefused_NamingTheTensorAndBothShapes()
    {
        var changed = Stable with { Inputs = [new TensorSignature("x", "FP32", [1, 25, 96])] };
        var d = AdmissionDecider.Decide(Spec(), Stable, Pod(1, 1, signature: changed));
        Assert.Equal((false, AdmissionDecision.SignatureChanged), (d.Admitted, d.Reason));
        Assert.Contains("input 'x' shape changed from [1,24,96] to [1,25,96]", d.Message);
    }

    [Fact]
    public void ChangedSignature_IsAdmitted_WhenAllowed_OrWithoutStable()
    {
        var changed = Stable with { Inputs = [new TensorSignature("x", "FP32", [1, 25, 96])] };
        Assert.True(AdmissionDecider.Decide(Spec(allowSignatureChange: true), Stable, Pod(1, 1, signature: changed)).Admitted);
        Assert.True(AdmissionDecider.Decide(Spec(), null, Pod(1, 1, signature: changed)).Admitted);
    }
}
