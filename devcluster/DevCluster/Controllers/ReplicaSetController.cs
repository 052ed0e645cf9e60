using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster.Api;

namespace ModelOperator.DevCluster.Controllers;

/// <summary>
/// Keeps each ReplicaSet's pod count at spec.replicas (pods created with generateName and a controller owner
/// reference, extras deleted in the controller's order) and reports replicas/ready/available in its status.
/// </summary>
internal sealed class ReplicaSetController : IClusterComponent
{
    public string Name => "replicaset-controller";

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.ReplicaSetController");
        var events = new ClusterEvents(context.Client, "replicaset-controller", context.Time);
        await LevelTriggeredLoop.RunAsync(context.Client, ["apis/apps/v1/replicasets", "api/v1/pods"], logger, "ReplicaSet sync",
            ct => SyncAllAsync(context, events, logger, ct), ct);
    }

    private static async Task SyncAllAsync(ClusterContext context, ClusterEvents events, ILogger logger, CancellationToken ct)
    {
        var client = context.Client;
        var sets = (await client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: ct)).Items;
        if (sets.Count == 0) return;
        var podsByOwner = (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items
            .Where(p => PodState.ControllerUid(p.Metadata) is not null).ToLookup(p => PodState.ControllerUid(p.Metadata)!);
        foreach (var rs in sets)
        {
            if (rs.Metadata.DeletionTimestamp is not null) continue;
            var owned = podsByOwner[rs.Metadata.Uid].ToList();
            var active = owned.Where(PodState.IsActive).ToList();
            var diff = (rs.Spec.Replicas ?? 1) - active.Count;
            for (var i = 0; i < diff; i++)
            {
                var pod = await client.CoreV1.CreateNamespacedPodAsync(NewPod(rs), rs.Namespace(), cancellationToken: ct);
                logger.LogInformation("Created pod {Namespace}/{Pod} for ReplicaSet {ReplicaSet}", pod.Namespace(), pod.Name(), rs.Name());
                await events.RecordAsync(WithKind(rs), "Normal", "SuccessfulCreate", $"Created pod: {pod.Name()}", ct);
                owned.Add(pod);
            }
            foreach (var pod in ReplicaSetPods.ToDelete(active, -diff))
            {
                try { await client.CoreV1.DeleteNamespacedPodAsync(pod.Name(), pod.Namespace(), cancellationToken: ct); }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
                logger.LogInformation("Deleted pod {Namespace}/{Pod} of ReplicaSet {ReplicaSet}", pod.Namespace(), pod.Name(), rs.Name());
                await events.RecordAsync(WithKind(rs), "Normal", "SuccessfulDelete", $"Deleted pod: {pod.Name()}", ct);
                pod.Metadata.DeletionTimestamp = context.Time.GetUtcNow().UtcDateTime;
            }
            var status = ReplicaSetPods.Status(rs, owned, context.Time.GetUtcNow().UtcDateTime);
            if (SameJson.Equal(status, Comparable(rs.Status))) continue;
            try
            {
                await client.AppsV1.PatchNamespacedReplicaSetStatusAsync(new V1Patch(KubernetesJson.Serialize(new V1ReplicaSet { Status = status }),
                    V1Patch.PatchType.MergePatch), rs.Name(), rs.Namespace(), cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
        }
    }

    private static V1ReplicaSetStatus? Comparable(V1ReplicaSetStatus? status) => status is null ? null : new V1ReplicaSetStatus
    {
        Replicas = status.Replicas, FullyLabeledReplicas = status.FullyLabeledReplicas, ReadyReplicas = status.ReadyReplicas ?? 0,
        AvailableReplicas = status.AvailableReplicas ?? 0, ObservedGeneration = status.ObservedGeneration,
    };

    private static V1Pod NewPod(V1ReplicaSet rs)
    {
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(rs.Spec.Template));
        return new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = rs.Name() + "-", NamespaceProperty = rs.Namespace(),
                Labels = template.Metadata?.Labels, Annotations = template.Metadata?.Annotations,
                OwnerReferences = [new V1OwnerReference
                {
                    ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = rs.Name(), Uid = rs.Uid(), Controller = true, BlockOwnerDeletion = true,
                }],
            },
            Spec = template.Spec,
        };
    }

    private static V1ReplicaSet WithKind(V1ReplicaSet rs)
    {
        rs.ApiVersion ??= "apps/v1";
        rs.Kind ??= "ReplicaSet";
        return rs;
    }
}
