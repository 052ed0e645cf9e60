using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using static ModelOperator.Operator.Tests.Unit.Conditions.PlanFixture;

namespace ModelOperator.Operator.Tests.Unit.Conditions;

/// <summary>Without autoscaling, the revision runs exactly what spec.replicas says.</summary>
public sealed class ReplicasMeaningTests
{
    [Theory]
    [InlineData(3, null, 3)]
    [InlineData(1, null, 1)]
    [InlineData(2, 4, 4)] // the scale subresource (an HPA, KEDA, kubectl scale) set spec.replicas.count
    [InlineData(2, 0, 0)]
    public void WithoutAutoscaling_TheRevisionRunsMin_OrTheScaleCount(int min, int? count, int expected)
    {
        var md = Samples.Model(edit: s => s.Replicas = new ReplicasSpec { Min = min, Max = 4, Count = count });

        Assert.Equal(expected, ReconcilePlanner.Plan(md, [], null, Settings, T0).DeploymentToApply!.Spec.Replicas);
    }

    [Fact]
    public void LoweringMin_ScalesTheServingRevisionDown()
    {
        var (md, stable, service) = Serving(Samples.Model(edit: s => s.Replicas = new ReplicasSpec { Min = 3, Max = 4 }), ready: 3);
        md.Spec.Replicas!.Min = 1;
        md.Metadata.Generation = 2;

        var plan = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));

        Assert.Equal(1, plan.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(1, plan.Status!.Replicas);
        Assert.Equal("True", Of(plan.Status!, "Ready").Status);
    }

    [Fact]
    public void WithAutoscaling_TheAutoscalersChoiceHoldsWithinBounds()
    {
        var md = Samples.Model(edit: s => s.Autoscaling = new AutoscalingSpec { TargetMs = 50 });
        md.Status = new ModelDeploymentStatus { Replicas = 9 };
        Assert.Equal(4, ReconcilePlanner.Plan(md, [], null, Settings, T0).DeploymentToApply!.Spec.Replicas);
        md.Status.Replicas = 3;
        Assert.Equal(3, ReconcilePlanner.Plan(md, [], null, Settings, T0).DeploymentToApply!.Spec.Replicas);
    }

    [Fact]
    public void ScaleCountZeroWithoutAutoscaling_IsReadyFalseScaledToZero_NotServing()
    {
        var md = Samples.Model(edit: s => s.Replicas = new ReplicasSpec { Min = 1, Max = 2, Count = 0 });

        var plan = ReconcilePlanner.Plan(md, [], null, Settings, T0);

        Assert.Equal(0, plan.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(Phases.ScaledToZero, plan.Status!.Phase);
        var ready = Condition(plan.Status!, "Ready");
        Assert.Equal(("False", "ScaledToZero"), (ready.Status, ready.Reason));
        Assert.Contains("spec.replicas.count is 0", ready.Message);
        Assert.Equal("False", Of(plan.Status!, "Reconciling").Status); // settled: nothing more to do
        Assert.Equal("False", Of(plan.Status!, "Stalled").Status);
        Assert.Equal("False", Of(plan.Status!, "Degraded").Status);
    }

    [Fact]
    public void MinZeroWithoutScaleToZero_IsAnInvalidSpec_SinceNothingWouldWakeIt()
    {
        var md = Samples.Model(edit: s => s.Replicas = new ReplicasSpec { Min = 0, Max = 2 });

        var plan = ReconcilePlanner.Plan(md, [], null, Settings, T0);

        Assert.Null(plan.DeploymentToApply);
        var ready = Condition(plan.Status!, "Ready");
        Assert.Equal(("False", "InvalidSpec"), (ready.Status, ready.Reason));
        Assert.Contains("spec.replicas.min 0 needs spec.autoscaling.scaleToZero", ready.Message);
    }

    [Fact]
    public void ScalingAServingRevisionToZero_DropsReady_AndOneAgainRestoresIt()
    {
        var (md, stable, service) = Serving(Samples.Model(), ready: 2);
        md.Spec.Replicas = new ReplicasSpec { Min = 1, Max = 4, Count = 0 }; // kubectl scale --replicas=0
        md.Metadata.Generation = 2;

        var zero = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
        Assert.Equal(0, zero.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(("False", "ScaledToZero"), Of(zero.Status!, "Ready"));

        md.Status = zero.Status;
        md.Spec.Replicas.Count = 1; // kubectl scale --replicas=1
        md.Metadata.Generation = 3;
        var one = ReconcilePlanner.Plan(md, [Stored(zero.DeploymentToApply!, 0)], service, Settings, T0.AddMinutes(2));
        Assert.Equal(1, one.DeploymentToApply!.Spec.Replicas);
        Assert.Equal(("False", "ReplicasNotReady"), Of(one.Status!, "Ready"));
        Assert.Equal("True", Of(one.Status!, "Reconciling").Status);
    }
}
