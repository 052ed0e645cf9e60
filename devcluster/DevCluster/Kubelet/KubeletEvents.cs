using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// Writes core/v1 Events as the kubelet does (source kubelet on the pod's node, involvedObject the pod and, for
/// container events, its <c>spec.containers{name}</c> fieldPath); a repeat of the same event bumps its count, so a
/// failing probe is one Event with a growing count, as <c>kubectl describe</c> shows it. Best effort: a failed write
/// is logged, never fatal.
/// </summary>
internal sealed class KubeletEvents(IKubernetes client, ILogger logger)
{
    private readonly ConcurrentDictionary<string, (string Name, int Count)> _seen = new();

    public Task NormalAsync(V1Pod pod, string? container, string reason, string message) => RecordAsync(pod, container, "Normal", reason, message);

    public Task WarningAsync(V1Pod pod, string? container, string reason, string message) => RecordAsync(pod, container, "Warning", reason, message);

    private async Task RecordAsync(V1Pod pod, string? container, string type, string reason, string message)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var fieldPath = container is null ? null : $"spec.containers{{{container}}}";
        var key = $"{pod.Metadata.Uid}|{fieldPath}|{type}|{reason}|{message}";
        var now = DateTime.UtcNow;
        try
        {
            if (_seen.TryGetValue(key, out var seen))
            {
                var count = seen.Count + 1;
                _seen[key] = (seen.Name, count);
                var patch = $$"""{"count":{{count}},"lastTimestamp":"{{now:yyyy-MM-ddTHH:mm:ssZ}}"}""";
                await client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), seen.Name, ns);
                return;
            }
            var name = $"{pod.Metadata.Name}.{Guid.NewGuid():N}"[..Math.Min(253, pod.Metadata.Name.Length + 17)];
            _seen[key] = (name, 1);
            await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference
                {
                    ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, NamespaceProperty = ns, Uid = pod.Metadata.Uid, FieldPath = fieldPath,
                },
                Reason = reason, Message = message, Type = type, Count = 1, FirstTimestamp = now, LastTimestamp = now,
                Source = new V1EventSource { Component = "kubelet", Host = pod.Spec.NodeName },
                ReportingComponent = "kubelet", ReportingInstance = pod.Spec.NodeName,
            }, ns);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Failed to record event {Reason} for pod {Namespace}/{Pod}", reason, ns, pod.Metadata.Name);
        }
    }

    /// <summary>Forgets a deleted pod's events.</summary>
    public void Forget(string uid)
    {
        foreach (var key in _seen.Keys.Where(k => k.StartsWith(uid + "|", StringComparison.Ordinal)).ToList()) _seen.TryRemove(key, out _);
    }
}
