using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;
using ModelOperator.Operator.Tests.Unit.Conditions;
using YamlDotNet.RepresentationModel;
using static ModelOperator.Operator.Tests.Unit.Conditions.PlanFixture;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>
/// The Argo CD health check run on the status the operator's planner really writes, and the hand-written fixtures
/// held to it: each fixture carries the same phase and condition types, statuses and reasons as the real status.
/// </summary>
public sealed class ArgoCdHealthOfOperatorStatusTests
{
    private static readonly string[] HealthTypes = ["Ready", "Progressing", "Degraded", "Reconciling", "Stalled", "RolledBack"];

    [Theory]
    [InlineData("healthy", "Healthy")]
    [InlineData("progressing", "Progressing")]
    [InlineData("degraded", "Degraded")]
    [InlineData("rolled-back", "Degraded")]
    [InlineData("scaled-to-zero", "Healthy")]
    public async Task HealthCheck_OfTheOperatorsOwnStatus_AndItsFixtureAgree(string scenario, string health)
    {
        var md = Scenario(scenario);
        var json = KubernetesJson.Serialize(new { metadata = new { name = md.Metadata.Name, generation = md.Metadata.Generation }, status = md.Status });

        var (status, message) = await ArgoCdHealthCheckTests.RunAsync(json);

        Assert.Equal(health, status);
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.Equal(Summary(md.Status!), FixtureSummary(scenario));
    }

    private static ModelDeployment Scenario(string name)
    {
        switch (name)
        {
            case "healthy":
                return Serving(Samples.Model(), ready: 2).Md;
            case "scaled-to-zero":
                return Serving(Samples.Model(edit: s => s.Replicas = new ReplicasSpec { Min = 1, Max = 2, Count = 0 }), ready: 0).Md;
            case "degraded":
            {
                var md = Samples.Model();
                var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
                md.Status = first.Status;
                var pod = Pod("resnet-abc-1", first.Revision, T0, state: Waiting("ImagePullBackOff", "Back-off pulling image \"ghcr.io/modeloperator/model-runtime:nope\""));
                md.Status = ReconcilePlanner.Plan(md, [Stored(first.DeploymentToApply!, 0)], first.ServiceToApply, Settings, T0.AddMinutes(1), Seeing(pod)).Status;
                return md;
            }
            default:
            {
                var (md, stable, service) = Serving(KstatusConditionsTests.WithRollout(), ready: 4);
                md.Spec.Model.Uri = "oci://registry.local/models/resnet:2.0";
                md.Metadata.Generation = 2;
                var start = ReconcilePlanner.Plan(md, [stable], service, Settings, T0.AddMinutes(1));
                md.Status = start.Status;
                if (name == "progressing") return md;
                var refused = new AdmissionDecision(false, AdmissionDecision.GateFailed, "Benchmark gate failed on node gpu-1: p95 80ms at batch 1 exceeds maxP95Ms 50");
                var inputs = new RolloutInputs([], [new PodVerdict("resnet-x-1", start.Revision, "gpu-1", refused, [])], null);
                md.Status = ReconcilePlanner.Plan(md, [stable, Stored(start.DeploymentToApply!, 0)], service, Settings, T0.AddMinutes(2), inputs).Status;
                return md;
            }
        }
    }

    private static string Summary(ModelDeploymentStatus status) =>
        $"phase={status.Phase}; " + string.Join("; ", status.Conditions!.Where(c => HealthTypes.Contains(c.Type)).OrderBy(c => c.Type, StringComparer.Ordinal)
            .Select(c => $"{c.Type}={c.Status}/{c.Reason}"));

    private static string FixtureSummary(string scenario)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, "charts", "argocd", "fixtures", scenario + ".yaml"))));
        var status = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["status"];
        var conditions = ((YamlSequenceNode)status["conditions"]).Children.Cast<YamlMappingNode>()
            .Select(c => (Type: c["type"].ToString(), Status: c["status"].ToString(), Reason: c["reason"].ToString()))
            .Where(c => HealthTypes.Contains(c.Type)).OrderBy(c => c.Type, StringComparer.Ordinal);
        return $"phase={status["phase"]}; " + string.Join("; ", conditions.Select(c => $"{c.Type}={c.Status}/{c.Reason}"));
    }
}
