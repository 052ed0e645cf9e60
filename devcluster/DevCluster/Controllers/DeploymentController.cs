using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster.Api;

namespace ModelOperator.DevCluster.Controllers;

/// <summary>
/// Deployment → ReplicaSets: one ReplicaSet per pod template (named and labelled with its <c>pod-template-hash</c>,
/// annotated with its revision), rolled by <see cref="RollingUpdate"/> or Recreate, and the Deployment's status and
/// conditions that <c>kubectl rollout status</c> waits on. Scaling (the scale subresource) changes spec.replicas,
/// which the next pass follows.
/// </summary>
internal sealed class DeploymentController : IClusterComponent
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    public string Name => "deployment-controller";

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.DeploymentController");
        var events = new ClusterEvents(context.Client, "deployment-controller", context.Time);
        await LevelTriggeredLoop.RunAsync(context.Client, ["apis/apps/v1/deployments", "apis/apps/v1/replicasets"], logger, "Deployment sync", async ct =>
        {
            var deployments = (await context.Client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct)).Items;
            if (deployments.Count == 0) return;
            var sets = (await context.Client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: ct)).Items;
            foreach (var deployment in deployments.Where(d => d.Metadata.DeletionTimestamp is null))
                await SyncAsync(context, events, logger, deployment, sets.Where(s => PodState.ControllerUid(s.Metadata) == deployment.Uid()).ToList(), ct);
        }, ct);
    }

    private static async Task SyncAsync(ClusterContext context, ClusterEvents events, ILogger logger, V1Deployment d, List<V1ReplicaSet> owned, CancellationToken ct)
    {
        var client = context.Client;
        d.ApiVersion ??= "apps/v1";
        d.Kind ??= "Deployment";
        var replicas = d.Spec.Replicas ?? 1;
        var recreate = d.Spec.Strategy?.Type == "Recreate";
        var (surge, unavailable) = recreate ? (0, 0) : RollingUpdate.Limits(d.Spec.Strategy, replicas);
        var newSet = owned.FirstOrDefault(r => PodTemplateHash.SameTemplate(r.Spec.Template, d.Spec.Template));
        var old = owned.Where(r => r != newSet).OrderBy(r => r.Metadata.CreationTimestamp).ThenBy(r => r.Name(), StringComparer.Ordinal).ToList();
        var maxRevision = owned.Select(Revision).DefaultIfEmpty(0).Max();
        var created = false;
        int revision;
        if (newSet is null)
        {
            if (d.Spec.Paused == true) return;
            var initial = recreate ? (old.Any(o => (o.Status?.Replicas ?? 0) > 0 || (o.Spec.Replicas ?? 0) > 0) ? 0 : replicas)
                : RollingUpdate.ScaleUpNew(replicas, surge, new ReplicaSetCounts("", 0, 0), [.. old.Select(Counts)]);
            revision = maxRevision + 1;
            newSet = await CreateReplicaSetAsync(client, d, revision, initial, ct);
            created = true;
            logger.LogInformation("Created ReplicaSet {Namespace}/{ReplicaSet} for Deployment {Deployment}", d.Namespace(), newSet.Name(), d.Name());
            await events.RecordAsync(d, "Normal", "ScalingReplicaSet", $"Scaled up replica set {newSet.Name()} from 0 to {initial}", ct);
        }
        else if (Revision(newSet) < maxRevision)
        {
            // A template seen before (a rollback) becomes the newest revision again, as kubectl rollout history shows.
            revision = maxRevision + 1;
            await AnnotateAsync(client, "replicasets", newSet.Namespace(), newSet.Name(), revision.ToString(), ct);
        }
        else revision = Revision(newSet);
        if ((d.Metadata.Annotations?.TryGetValue(RevisionAnnotation, out var current) == true ? current : null) != revision.ToString())
            await AnnotateAsync(client, "deployments", d.Namespace(), d.Name(), revision.ToString(), ct);

        if (d.Spec.Paused != true && !created)
        {
            if (recreate) await RecreateAsync(client, events, d, newSet, old, replicas, ct);
            else await RollAsync(client, events, d, newSet, old, replicas, surge, unavailable, ct);
        }

        var status = DeploymentStatusCalculator.Compute(d, newSet, owned.Contains(newSet) ? owned : [.. owned, newSet], created, context.Time.GetUtcNow().UtcDateTime);
        if (SameJson.Equal(status, d.Status)) return;
        try
        {
            await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(KubernetesJson.Serialize(new V1Deployment { Status = status }),
                V1Patch.PatchType.MergePatch), d.Name(), d.Namespace(), cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
    }

    private static async Task RollAsync(IKubernetes client, ClusterEvents events, V1Deployment d, V1ReplicaSet newSet, List<V1ReplicaSet> old,
        int replicas, int surge, int unavailable, CancellationToken ct)
    {
        var newCounts = Counts(newSet);
        var oldCounts = old.Select(Counts).ToList();
        var newDesired = RollingUpdate.ScaleUpNew(replicas, surge, newCounts, oldCounts);
        if (newDesired != newCounts.Desired)
        {
            await ScaleAsync(client, events, d, newSet, newDesired, ct);
            if (newDesired > newCounts.Desired) return;
            newCounts = newCounts with { Desired = newDesired };
        }
        var oldDesired = RollingUpdate.ScaleDownOld(replicas, unavailable, newCounts, oldCounts);
        for (var i = 0; i < old.Count; i++)
            if (oldDesired[i] != oldCounts[i].Desired) await ScaleAsync(client, events, d, old[i], oldDesired[i], ct);
    }

    private static async Task RecreateAsync(IKubernetes client, ClusterEvents events, V1Deployment d, V1ReplicaSet newSet, List<V1ReplicaSet> old,
        int replicas, CancellationToken ct)
    {
        foreach (var rs in old.Where(o => (o.Spec.Replicas ?? 0) > 0)) await ScaleAsync(client, events, d, rs, 0, ct);
        if (old.All(o => (o.Status?.Replicas ?? 0) == 0 && (o.Spec.Replicas ?? 0) == 0) && (newSet.Spec.Replicas ?? 0) != replicas)
            await ScaleAsync(client, events, d, newSet, replicas, ct);
    }

    private static ReplicaSetCounts Counts(V1ReplicaSet rs) => new(rs.Name(), rs.Spec.Replicas ?? 0, rs.Status?.AvailableReplicas ?? 0);

    private static int Revision(V1ReplicaSet rs) =>
        rs.Metadata.Annotations?.TryGetValue(RevisionAnnotation, out var text) == true && int.TryParse(text, out var r) ? r : 0;

    private static async Task ScaleAsync(IKubernetes client, ClusterEvents events, V1Deployment d, V1ReplicaSet rs, int replicas, CancellationToken ct)
    {
        var from = rs.Spec.Replicas ?? 0;
        var patch = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } };
        await client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), rs.Name(), rs.Namespace(), cancellationToken: ct);
        rs.Spec.Replicas = replicas;
        await events.RecordAsync(d, "Normal", "ScalingReplicaSet",
            $"Scaled {(replicas > from ? "up" : "down")} replica set {rs.Name()} from {from} to {replicas}", ct);
    }

    private static async Task AnnotateAsync(IKubernetes client, string plural, string ns, string name, string revision, CancellationToken ct)
    {
        var patch = new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RevisionAnnotation] = revision } } }.ToJsonString(),
            V1Patch.PatchType.MergePatch);
        if (plural == "deployments") await client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, ns, cancellationToken: ct);
        else await client.AppsV1.PatchNamespacedReplicaSetAsync(patch, name, ns, cancellationToken: ct);
    }

    private static async Task<V1ReplicaSet> CreateReplicaSetAsync(IKubernetes client, V1Deployment d, int revision, int replicas, CancellationToken ct)
    {
        var hash = PodTemplateHash.Of(d.Spec.Template);
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(d.Spec.Template));
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var selector = KubernetesJson.Deserialize<V1LabelSelector>(KubernetesJson.Serialize(d.Spec.Selector));
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var rs = new V1ReplicaSet
        {
            ApiVersion = "apps/v1", Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{d.Name()}-{hash}", NamespaceProperty = d.Namespace(), Labels = template.Metadata.Labels,
                Annotations = new Dictionary<string, string> { [RevisionAnnotation] = revision.ToString() },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = d.Name(), Uid = d.Uid(), Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = new V1ReplicaSetSpec { Replicas = replicas, Selector = selector, Template = template, MinReadySeconds = d.Spec.MinReadySeconds },
        };
        return await client.AppsV1.CreateNamespacedReplicaSetAsync(rs, d.Namespace(), cancellationToken: ct);
    }
}
