using System.Text.RegularExpressions;
using k8s.Models;

namespace ModelOperator.Operator.Reconcile;

/// <summary>A runtime pod the kubelet cannot keep running, with the kubelet's own reason and message.</summary>
/// <param name="Pod">The pod's name.</param>
/// <param name="Revision">The revision the pod runs.</param>
/// <param name="Reason">The container's waiting reason (CrashLoopBackOff, ImagePullBackOff, …), a condition reason.</param>
/// <param name="Message">For people: the container, the kubelet's message and the last exit.</param>
public sealed partial record PodFailure(string Pod, string Revision, string Reason, string Message)
{
    /// <summary>Waiting reasons that mean the pod will not become ready without a change (to the spec or the cluster).</summary>
    public static readonly IReadOnlySet<string> FailingReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    };

    private const int MaxMessage = 512;

    /// <summary>The first failing pod (by name) of <paramref name="revision"/> among <paramref name="pods"/>, ignoring pods being deleted.</summary>
    public static PodFailure? Find(IEnumerable<V1Pod> pods, string? revision)
    {
        if (revision is null) return null;
        foreach (var pod in pods.Where(p => RevisionOf(p) == revision && p.Metadata.DeletionTimestamp is null).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
            foreach (var c in statuses)
            {
                string reason, message;
                if (c.State?.Waiting is { Reason: { } waitingReason } waiting && FailingReasons.Contains(waitingReason))
                {
                    reason = waitingReason;
                    message = $"pod {pod.Metadata.Name} container {c.Name}: {reason}" + (string.IsNullOrWhiteSpace(waiting.Message) ? "" : $": {waiting.Message}");
                }
                else if (c.State?.Running is not null && !c.Ready && c.RestartCount > 0 && c.LastState?.Terminated is { ExitCode: not 0 })
                {
                    // Between back-offs a crash-looping container runs again for a moment; it is still crash-looping
                    // until it becomes ready, so the condition does not flap with every restart.
                    reason = "CrashLoopBackOff";
                    message = $"pod {pod.Metadata.Name} container {c.Name}: CrashLoopBackOff: restarted {c.RestartCount} times and is not ready";
                }
                else continue;
                if (c.LastState?.Terminated is { } last)
                    message += $"; last exit code {last.ExitCode}" + (last.Reason is { Length: > 0 } r ? $" ({r})" : "")
                        + (LastLine(last.Message) is { Length: > 0 } m ? $": {m}" : "");
                return new PodFailure(pod.Metadata.Name, revision, ConditionReason().IsMatch(reason) ? reason : "PodFailing",
                    message.Length > MaxMessage ? message[..MaxMessage] + "…" : message);
            }
        }
        return null;
    }

    /// <summary>
    /// The line of a termination message that says why the container stopped. With FallbackToLogsOnError the message
    /// is the log's tail: the runtime's structured log lines are JSON objects, its failure the one plain line (which
    /// may precede the last shutdown log lines, as stdout and stderr are read apart); else the last line.
    /// </summary>
    public static string? LastLine(string? message)
    {
        var lines = message?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return lines.LastOrDefault(l => !l.StartsWith('{')) ?? lines.LastOrDefault();
    }

    /// <summary>The pod's revision label.</summary>
    public static string? RevisionOf(V1Pod pod) =>
        pod.Metadata.Labels is { } l && l.TryGetValue(WellKnown.RevisionLabel, out var r) ? r : null;

    // metav1.Condition's reason pattern.
    [GeneratedRegex("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")]
    private static partial Regex ConditionReason();
}
