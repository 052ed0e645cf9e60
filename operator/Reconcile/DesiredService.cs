using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>The Service <c>&lt;name&gt;</c> selecting every serving revision of a ModelDeployment.</summary>
public static class DesiredService
{
    /// <summary>
    /// Only the fields the operator owns; server-side apply leaves the rest (clusterIP, others' labels) alone. With
    /// <paramref name="onlyRevision"/>, it selects that revision's pods alone: during a shadow phase (issue 23) the
    /// shadow revision's pods are admitted and ready but must get no user traffic.
    /// </summary>
    public static V1Service Build(ModelDeployment md, string? onlyRevision = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = md.Metadata.Name,
            NamespaceProperty = md.Metadata.NamespaceProperty,
            Labels = ChildObjects.Labels(md.Metadata.Name, null),
            OwnerReferences = [ChildObjects.OwnerReference(md)],
        },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = onlyRevision is null
                ? new Dictionary<string, string> { [WellKnown.NameLabel] = md.Metadata.Name }
                : new Dictionary<string, string> { [WellKnown.NameLabel] = md.Metadata.Name, [WellKnown.RevisionLabel] = onlyRevision },
            Ports =
            [
                new V1ServicePort { Name = "http", Port = WellKnown.RuntimePort, TargetPort = "http", Protocol = "TCP" },
                // appProtocol tells meshes and gateways to speak HTTP/2 gRPC to it.
                new V1ServicePort { Name = "grpc", Port = WellKnown.RuntimeGrpcPort, TargetPort = "grpc", Protocol = "TCP", AppProtocol = "grpc" },
            ],
        },
    };

    /// <summary>
    /// True when <paramref name="live"/> carries every field of <paramref name="desired"/> and exactly its selector.
    /// Containment alone would find a plain selector "contained" in a live one that still has the revision key of a
    /// shadow phase, and the Service would keep selecting stable alone after the phase.
    /// </summary>
    public static bool IsAppliedTo(V1Service desired, V1Service? live) =>
        JsonContainment.IsContainedIn(desired, live)
        && (live!.Spec?.Selector ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SequenceEqual((desired.Spec.Selector ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal));

    /// <summary>The in-cluster URL recorded in status.</summary>
    public static string Url(ModelDeployment md) =>
        $"http://{md.Metadata.Name}.{md.Metadata.NamespaceProperty}.svc:{WellKnown.RuntimePort}/v2/models/{md.Metadata.Name}";
}
