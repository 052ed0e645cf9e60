using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// The NetworkPolicy <c>&lt;name&gt;-runtime</c> of a ModelDeployment's pods: anyone may reach the ports its Service
/// exposes (HTTP with /metrics, gRPC: users, the activator, Prometheus and a stable pod's mirrored copies), and only the
/// operator's pods the management port, where a shadow rollout's target is set. Without it, anything that can reach a
/// pod IP could point a stable pod's mirror elsewhere. Policies add up, so a namespace's own policies still apply.
/// </summary>
public static class DesiredNetworkPolicy
{
    /// <summary>The label every namespace carries with its own name (Kubernetes 1.22+), to select the operator's.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The policy's name.</summary>
    public static string Name(ModelDeployment md) => $"{md.Metadata.Name}-runtime";

    /// <summary>The policy, or null when the operator is configured to write none.</summary>
    public static V1NetworkPolicy? Build(ModelDeployment md, ManagementPeer? peer) => peer is null ? null : new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta
        {
            Name = Name(md),
            NamespaceProperty = md.Metadata.NamespaceProperty,
            Labels = ChildObjects.Labels(md.Metadata.Name, null),
            OwnerReferences = [ChildObjects.OwnerReference(md)],
        },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [WellKnown.NameLabel] = md.Metadata.Name } },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule { Ports = [Tcp(WellKnown.RuntimePort), Tcp(WellKnown.RuntimeGrpcPort)] },
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer
                        {
                            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NamespaceNameLabel] = peer.Namespace } },
                            PodSelector = new V1LabelSelector { MatchLabels = peer.Labels.ToDictionary() },
                        },
                    ],
                    Ports = [Tcp(WellKnown.RuntimeManagementPort)],
                },
            ],
        },
    };

    /// <summary>
    /// True when <paramref name="live"/> already carries the desired policy (null desired: nothing to write). Its rules
    /// are counted too: containment alone would take a live policy with an extra rule (a hand edit that opens the
    /// management port to everyone) as applied.
    /// </summary>
    public static bool IsAppliedTo(V1NetworkPolicy? desired, V1NetworkPolicy? live) =>
        desired is null || JsonContainment.IsContainedIn(desired, live) && live!.Spec?.Ingress?.Count == desired.Spec.Ingress.Count;

    private static V1NetworkPolicyPort Tcp(int port) => new() { Port = port, Protocol = "TCP" };
}
