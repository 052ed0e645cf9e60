using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Autoscaling;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Prefetch;

/// <summary>
/// Decides the prefetch pods of a ModelDeployment with <c>spec.model.cache.prefetch</c>: one per node that could run
/// its pods (schedulable, matching <c>spec.gpu.nodeSelector</c>, every NoSchedule/NoExecute taint tolerated, as the
/// autoscaler's GPU count decides it, and with at least the GPUs one pod asks for), none elsewhere. A pod whose spec is
/// out of date (another digest or image) or that failed is deleted; a pod that succeeded is kept as the node's record
/// that its cache holds the model. No I/O.
/// </summary>
public static class PrefetchPlanner
{
    public const string Pulled = "Pulled";
    public const string Pulling = "Pulling";
    public const string Failed = "Failed";

    /// <param name="md">A ModelDeployment whose spec passed validation.</param>
    /// <param name="nodes">Every node of the cluster.</param>
    /// <param name="existing">The prefetch pods that carry its name.</param>
    public static PrefetchPlan Plan(ModelDeployment md, OperatorSettings settings, IEnumerable<V1Node> nodes, IReadOnlyCollection<V1Pod> existing)
    {
        var active = md.Spec.Model.Cache?.Prefetch == true && settings.Cache.AppliesTo(md.Spec.Model);
        var desired = active ? CandidateNodes(md.Spec, nodes).Select(n => DesiredPrefetchPod.Build(md, n, settings)).ToList() : [];
        var byName = existing.Where(p => p.Metadata.DeletionTimestamp is null).ToDictionary(p => p.Metadata.Name, StringComparer.Ordinal);
        var wanted = desired.Select(p => p.Metadata.Name).ToHashSet(StringComparer.Ordinal);

        var delete = byName.Values
            .Where(p => !wanted.Contains(p.Metadata.Name) || p.Status?.Phase == "Failed")
            .Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        // A pod being deleted under the desired name is created again once it is gone.
        var terminating = existing.Where(p => p.Metadata.DeletionTimestamp is not null).Select(p => p.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var create = desired.Where(p => !byName.ContainsKey(p.Metadata.Name) && !terminating.Contains(p.Metadata.Name)).ToList();

        List<PrefetchNodeStatus>? status = desired.Count == 0 && !active ? null : desired
            .Select(p => State(p.Spec.NodeName, p.Metadata.Name, byName.GetValueOrDefault(p.Metadata.Name)))
            .OrderBy(s => s.Node, StringComparer.Ordinal).ToList();
        return new PrefetchPlan(create, delete, status) { Active = active };
    }

    /// <summary>The nodes a pod of this spec could be scheduled on, by name.</summary>
    public static IEnumerable<string> CandidateNodes(ModelDeploymentSpec spec, IEnumerable<V1Node> nodes)
    {
        var gpus = spec.Gpu?.Count ?? 0;
        var tolerations = DesiredDeployment.Tolerations(spec);
        return nodes
            .Where(n => GpuCapacityCalculator.Fits(n, spec.Gpu?.NodeSelector, tolerations) && GpuCapacityCalculator.AllocatableGpus(n) >= gpus)
            .Select(n => n.Metadata.Name).Order(StringComparer.Ordinal);
    }

    /// <summary>The node's prefetch as its pod shows it: Pulled once it exited 0; Failed after a failed pull (with its message), while it retries; else Pulling.</summary>
    public static PrefetchNodeStatus State(string node, string podName, V1Pod? pod)
    {
        var status = new PrefetchNodeStatus { Node = node, Pod = podName, State = Pulling };
        if (pod?.Status is not { } s) return status;
        var container = s.ContainerStatuses?.FirstOrDefault();
        if (s.Phase == "Succeeded") status.State = Pulled;
        else if (s.Phase == "Failed")
        {
            status.State = Failed;
            status.Message = Message(container?.State?.Terminated) ?? s.Message ?? "the prefetch pod failed";
        }
        else if (container?.State?.Terminated is { ExitCode: not 0 } now)
        {
            status.State = Failed;
            status.Message = Message(now);
        }
        else if (container?.LastState?.Terminated is { ExitCode: not 0 } last && container.State?.Running is null)
        {
            status.State = Failed;
            status.Message = Message(last) + " (retrying)";
        }
        return status;
    }

    private static string? Message(V1ContainerStateTerminated? terminated) => terminated is null ? null
        : (terminated.Message?.Trim() is { Length: > 0 } m ? LastLine(m) : $"the pull exited with code {terminated.ExitCode}{(terminated.Reason is { } r ? $" ({r})" : "")}");

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
}
