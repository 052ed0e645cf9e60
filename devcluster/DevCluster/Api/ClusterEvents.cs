using k8s;
using k8s.Models;

namespace ModelOperator.DevCluster.Api;

/// <summary>Records core/v1 Events about objects, as the control plane's components do (kubectl describe shows them).</summary>
internal sealed class ClusterEvents(IKubernetes client, string component, TimeProvider time)
{
    /// <summary>Writes one Event; a failure to record is not a failure of the action it describes.</summary>
    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> about, string type, string reason, string message, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var ns = about.Metadata.NamespaceProperty ?? "default";
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{about.Metadata.Name}.{Guid.NewGuid():N}"[..Math.Min(253, about.Metadata.Name.Length + 17)], NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = about.ApiVersion, Kind = about.Kind, Name = about.Metadata.Name, NamespaceProperty = about.Metadata.NamespaceProperty,
                Uid = about.Metadata.Uid, ResourceVersion = about.Metadata.ResourceVersion,
            },
            Type = type, Reason = reason, Message = message, Count = 1,
            FirstTimestamp = now, LastTimestamp = now, EventTime = null,
            Source = new V1EventSource { Component = component }, ReportingComponent = component, ReportingInstance = component,
        };
        try { await client.CoreV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: ct); }
        catch (Exception) when (!ct.IsCancellationRequested) { }
    }
}
