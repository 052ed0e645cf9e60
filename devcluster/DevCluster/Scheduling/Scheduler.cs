using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster.Api;

namespace ModelOperator.DevCluster.Scheduling;

/// <summary>
/// The dev cluster's kube-scheduler: binds each pending pod (default scheduler) to a node through
/// <c>pods/binding</c>, or marks it <c>PodScheduled=False</c> reason <c>Unschedulable</c> with a FailedScheduling
/// Event. Unschedulable pods are tried again whenever pods or nodes change.
/// </summary>
internal sealed class Scheduler : IClusterComponent
{
    public const string SchedulerName = "default-scheduler";

    public string Name => "scheduler";

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.Scheduler");
        var events = new ClusterEvents(context.Client, SchedulerName, context.Time);
        await LevelTriggeredLoop.RunAsync(context.Client, ["api/v1/pods", "api/v1/nodes"], logger, "Scheduling pass",
            ct => ScheduleAllAsync(context, events, logger, ct), ct);
    }

    private static async Task ScheduleAllAsync(ClusterContext context, ClusterEvents events, ILogger logger, CancellationToken ct)
    {
        var client = context.Client;
        var nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items.ToList();
        var pods = (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items;
        var bound = pods.Where(p => !string.IsNullOrEmpty(p.Spec?.NodeName)).ToList();
        var pending = pods
            .Where(p => string.IsNullOrEmpty(p.Spec?.NodeName) && p.Metadata.DeletionTimestamp is null
                && (p.Spec?.SchedulerName ?? SchedulerName) == SchedulerName && p.Status?.Phase is null or "Pending")
            .OrderBy(p => p.Metadata.CreationTimestamp).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal);
        foreach (var pod in pending)
        {
            var placement = PodPlacement.Choose(pod, nodes, bound);
            if (placement.Node is { } node)
            {
                if (await BindAsync(client, pod, node, ct))
                {
                    pod.Spec.NodeName = node;
                    bound.Add(pod);
                    logger.LogInformation("Bound pod {Namespace}/{Pod} to node {Node}", pod.Namespace(), pod.Name(), node);
                    await events.RecordAsync(WithKind(pod), "Normal", "Scheduled", $"Successfully assigned {pod.Namespace()}/{pod.Name()} to {node}", ct);
                }
                continue;
            }
            var message = placement.Message!;
            var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            if (current is { Status: "False", Reason: "Unschedulable" } && current.Message == message) continue;
            await MarkUnschedulableAsync(client, pod, message, context.Time.GetUtcNow().UtcDateTime, ct);
            logger.LogInformation("Failed to schedule pod {Namespace}/{Pod}: {Message}", pod.Namespace(), pod.Name(), message);
            await events.RecordAsync(WithKind(pod), "Warning", "FailedScheduling", message, ct);
        }
    }

    private static async Task<bool> BindAsync(IKubernetes client, V1Pod pod, string node, CancellationToken ct)
    {
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod.Name(), NamespaceProperty = pod.Namespace(), Uid = pod.Uid() },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = node },
        };
        try
        {
            await client.CoreV1.CreateNamespacedPodBindingAsync(binding, pod.Name(), pod.Namespace(), cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound) { return false; }
    }

    private static async Task MarkUnschedulableAsync(IKubernetes client, V1Pod pod, string message, DateTime now, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "PodScheduled", ["status"] = "False", ["reason"] = "Unschedulable", ["message"] = message,
                    ["lastProbeTime"] = null, ["lastTransitionTime"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                }),
            },
        };
        try
        {
            await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch),
                pod.Name(), pod.Namespace(), cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
    }

    private static V1Pod WithKind(V1Pod pod)
    {
        pod.ApiVersion ??= "v1";
        pod.Kind ??= "Pod";
        return pod;
    }
}
