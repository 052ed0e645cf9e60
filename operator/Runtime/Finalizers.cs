using System.Net;
using k8s.Autorest;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Runtime;

/// <summary>Adds and removes the operator's finalizer with a resourceVersion-checked update, rereading on conflict.</summary>
internal sealed class Finalizers(ModelDeploymentApi api, string finalizer)
{
    public static bool Has(ModelDeployment md, string finalizer) => md.Metadata.Finalizers?.Contains(finalizer) == true;

    public Task<ModelDeployment> EnsureAsync(ModelDeployment md, CancellationToken ct) =>
        UpdateAsync(md, m => !Has(m, finalizer), m => (m.Metadata.Finalizers ??= []).Add(finalizer), ct);

    public Task<ModelDeployment> RemoveAsync(ModelDeployment md, CancellationToken ct) =>
        UpdateAsync(md, m => Has(m, finalizer), m => m.Metadata.Finalizers!.Remove(finalizer), ct);

    private async Task<ModelDeployment> UpdateAsync(ModelDeployment md, Func<ModelDeployment, bool> needed, Action<ModelDeployment> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!needed(md)) return md;
            change(md);
            try { return await api.ReplaceAsync(md, ct).ConfigureAwait(false); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                md = await api.GetAsync(md.Metadata.NamespaceProperty, md.Metadata.Name, ct).ConfigureAwait(false) ?? md;
            }
        }
    }
}
