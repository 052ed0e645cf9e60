using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Runtime;

/// <summary>The few API calls the reconciler makes, each counted in the write metrics.</summary>
internal sealed class ModelDeploymentApi(Kubernetes client, KubeHttp http, OperatorMetrics metrics)
{
    public async Task<ModelDeployment?> GetAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            var obj = await client.CustomObjects.GetNamespacedCustomObjectAsync(ModelDeployment.Group, ModelDeployment.Version, ns, ModelDeployment.Plural, name, ct).ConfigureAwait(false);
            return Convert<ModelDeployment>(obj);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    public async Task<ModelDeployment> ReplaceAsync(ModelDeployment md, CancellationToken ct)
    {
        metrics.Writes.WithLabels(ModelDeployment.Plural, "update").Inc();
        var obj = await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(md, ModelDeployment.Group, ModelDeployment.Version,
            md.Metadata.NamespaceProperty, ModelDeployment.Plural, md.Metadata.Name, fieldManager: WellKnown.FieldManager, cancellationToken: ct).ConfigureAwait(false);
        return Convert<ModelDeployment>(obj);
    }

    public async Task<ModelDeployment> ReplaceStatusAsync(ModelDeployment md, CancellationToken ct)
    {
        metrics.Writes.WithLabels(ModelDeployment.Plural + "/status", "update").Inc();
        var obj = await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(md, ModelDeployment.Group, ModelDeployment.Version,
            md.Metadata.NamespaceProperty, ModelDeployment.Plural, md.Metadata.Name, fieldManager: WellKnown.FieldManager, cancellationToken: ct).ConfigureAwait(false);
        return Convert<ModelDeployment>(obj);
    }

    public async Task<V1Deployment> ApplyDeploymentAsync(V1Deployment d, CancellationToken ct)
    {
        metrics.Writes.WithLabels("deployments", "apply").Inc();
        return await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(KubernetesJson.Serialize(d), V1Patch.PatchType.ApplyPatch),
            d.Metadata.Name, d.Metadata.NamespaceProperty, fieldManager: WellKnown.FieldManager, force: true, cancellationToken: ct).ConfigureAwait(false);
    }

    public async Task<V1Service> ApplyServiceAsync(V1Service s, CancellationToken ct)
    {
        metrics.Writes.WithLabels("services", "apply").Inc();
        return await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(KubernetesJson.Serialize(s), V1Patch.PatchType.ApplyPatch),
            s.Metadata.Name, s.Metadata.NamespaceProperty, fieldManager: WellKnown.FieldManager, force: true, cancellationToken: ct).ConfigureAwait(false);
    }

    public async Task<V1NetworkPolicy> ApplyNetworkPolicyAsync(V1NetworkPolicy p, CancellationToken ct)
    {
        metrics.Writes.WithLabels("networkpolicies", "apply").Inc();
        return await client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(new V1Patch(KubernetesJson.Serialize(p), V1Patch.PatchType.ApplyPatch),
            p.Metadata.Name, p.Metadata.NamespaceProperty, fieldManager: WellKnown.FieldManager, force: true, cancellationToken: ct).ConfigureAwait(false);
    }

    // Deletes go raw: the answer may be the object or a Status, and neither is needed.
    public Task DeleteDeploymentAsync(string ns, string name, CancellationToken ct)
    {
        metrics.Writes.WithLabels("deployments", "delete").Inc();
        return http.DeleteAsync($"/apis/apps/v1/namespaces/{ns}/deployments/{name}", "Background", ct);
    }

    public async Task CreatePodAsync(V1Pod pod, CancellationToken ct)
    {
        metrics.Writes.WithLabels("pods", "create").Inc();
        try { await client.CoreV1.CreateNamespacedPodAsync(pod, pod.Metadata.NamespaceProperty, fieldManager: WellKnown.FieldManager, cancellationToken: ct).ConfigureAwait(false); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict) { /* created already; the watch brings it */ }
    }

    public Task DeletePodAsync(string ns, string name, CancellationToken ct)
    {
        metrics.Writes.WithLabels("pods", "delete").Inc();
        return http.DeleteAsync($"/api/v1/namespaces/{ns}/pods/{name}", "Background", ct);
    }

    public Task DeleteServiceAsync(string ns, string name, CancellationToken ct)
    {
        metrics.Writes.WithLabels("services", "delete").Inc();
        return http.DeleteAsync($"/api/v1/namespaces/{ns}/services/{name}", null, ct);
    }

    // Custom object calls answer a parsed JsonElement: read it as T directly rather than writing and parsing it again.
    private static T Convert<T>(object obj) => obj switch
    {
        T t => t,
        JsonElement e => e.Deserialize<T>(KubernetesJsonOptions.Instance) ?? throw new InvalidOperationException($"the API server answered null for a {typeof(T).Name}"),
        _ => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj)),
    };
}
