using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ModelOperator.Operator.Runtime;

/// <summary>Records core/v1 Events on objects, so <c>kubectl describe</c> tells what the operator did. Never fails a reconcile.</summary>
internal sealed class EventRecorder(Kubernetes client, string instance, OperatorMetrics metrics, TimeProvider time, ILogger logger)
{
    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{obj.Metadata.Name}.{Guid.NewGuid():N}"[..Math.Min(obj.Metadata.Name.Length + 17, 253)],
                NamespaceProperty = obj.Metadata.NamespaceProperty,
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = obj.ApiVersion, Kind = obj.Kind, Name = obj.Metadata.Name,
                NamespaceProperty = obj.Metadata.NamespaceProperty, Uid = obj.Metadata.Uid, ResourceVersion = obj.Metadata.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = "model-operator" },
            ReportingComponent = "model-operator",
            ReportingInstance = instance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            metrics.Writes.WithLabels("events", "create").Inc();
            metrics.Events.WithLabels(type, reason).Inc();
            await client.CoreV1.CreateNamespacedEventAsync(ev, obj.Metadata.NamespaceProperty, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not record event {Reason} on {Name}: {Error}", reason, obj.Metadata.Name, e.Message);
        }
    }
}
