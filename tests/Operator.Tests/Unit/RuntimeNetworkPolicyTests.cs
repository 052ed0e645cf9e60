using k8s;
using k8s.Models;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit;

/// <summary>
/// The runtime pods' NetworkPolicy (issue 23): the Service's ports open to all, the management port (where a shadow
/// rollout's mirror target is set) only to the operator's pods; written once, put back after a hand edit.
/// </summary>
public sealed class RuntimeNetworkPolicyTests
{
    private static readonly ManagementPeer Peer = ManagementPeer.Parse("model-operator/app.kubernetes.io/name=model-operator,app.kubernetes.io/instance=mo").Peer!;
    private static readonly OperatorSettings Settings = new("registry.local/model-runtime:test", ManagementPeer: Peer);
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Policy_OpensTheServicePortsToAll_AndTheManagementPortOnlyToTheOperatorsPods()
    {
        var policy = DesiredNetworkPolicy.Build(Samples.Model(), Peer)!;

        Assert.Equal("resnet-runtime", policy.Metadata.Name);
        Assert.Equal("resnet", policy.Spec.PodSelector.MatchLabels[WellKnown.NameLabel]);
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        var open = policy.Spec.Ingress[0];
        Assert.Null(open.FromProperty);
        Assert.Equal([WellKnown.RuntimePort.ToString(), WellKnown.RuntimeGrpcPort.ToString()], open.Ports.Select(p => p.Port.Value));
        var management = policy.Spec.Ingress[1];
        Assert.Equal([WellKnown.RuntimeManagementPort.ToString()], management.Ports.Select(p => p.Port.Value));
        var from = Assert.Single(management.FromProperty);
        Assert.Equal("model-operator", from.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "model-operator", ["app.kubernetes.io/instance"] = "mo" }, from.PodSelector.MatchLabels);
        Assert.DoesNotContain(policy.Spec.Ingress, r => r.Ports.Any(p => p.Port.Value == WellKnown.RuntimeManagementPort.ToString()) && r.FromProperty is null);
    }

    [Fact]
    public void Planner_WritesThePolicyOnce_ThenNothing_AndPutsBackAHandEditThatOpensTheManagementPort()
    {
        var md = Samples.Model();
        var first = ReconcilePlanner.Plan(md, [], null, Settings, T0);
        Assert.NotNull(first.NetworkPolicyToApply);
        md.Status = first.Status;
        var stored = KubernetesJson.Deserialize<V1NetworkPolicy>(KubernetesJson.Serialize(first.NetworkPolicyToApply));
        stored.Metadata.ResourceVersion = "19";
        stored.Metadata.Labels["team"] = "vision";

        var again = ReconcilePlanner.Plan(md, [], null, Settings, T0, networkPolicy: stored);
        Assert.Null(again.NetworkPolicyToApply);

        stored.Spec.Ingress.Add(new V1NetworkPolicyIngressRule { Ports = [new V1NetworkPolicyPort { Port = WellKnown.RuntimeManagementPort }] });
        Assert.NotNull(ReconcilePlanner.Plan(md, [], null, Settings, T0, networkPolicy: stored).NetworkPolicyToApply);
    }

    [Fact]
    public void WithoutAManagementPeer_OrWithAnInvalidSpec_NoPolicyIsWritten()
    {
        Assert.Null(ReconcilePlanner.Plan(Samples.Model(), [], null, new OperatorSettings("registry.local/model-runtime:test"), T0).NetworkPolicyToApply);

        var invalid = Samples.Model();
        invalid.Spec.Model.Uri = "ftp://nowhere/model.onnx";
        var plan = ReconcilePlanner.Plan(invalid, [], null, Settings, T0);
        Assert.NotEmpty(plan.Errors);
        Assert.Null(plan.NetworkPolicyToApply);
    }

    [Theory]
    [InlineData("model-operator/app=x", "model-operator", "app", "x")]
    [InlineData("ns/app.kubernetes.io/name=model-operator", "ns", "app.kubernetes.io/name", "model-operator")]
    public void Peer_ParsesNamespaceAndLabels(string value, string ns, string key, string label)
    {
        var (peer, error) = ManagementPeer.Parse(value);

        Assert.Null(error);
        Assert.Equal(ns, peer!.Namespace);
        Assert.Equal(label, peer.Labels[key]);
    }
}
