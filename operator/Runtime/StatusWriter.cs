using System.Net;
using k8s.Autorest;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Runtime;

/// <summary>
/// Writes status with the object's resourceVersion; on 409 Conflict it reads the object again and recomputes the
/// status from the fresh copy, so a concurrent writer's change is never overwritten with stale data.
/// </summary>
internal sealed class StatusWriter(ModelDeploymentApi api, int maxAttempts = 5)
{
    /// <summary>Returns the stored object, or null when it no longer exists or needs no write.</summary>
    public async Task<ModelDeployment?> WriteAsync(ModelDeployment md, ModelDeploymentStatus? status, Func<ModelDeployment, ModelDeploymentStatus?> recompute, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1) status = recompute(md); // reread after a conflict: decide again from the fresh copy
            if (status is null) return null;
            md.Status = status;
            try { return await api.ReplaceStatusAsync(md, ct).ConfigureAwait(false); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < maxAttempts)
            {
                md = await api.GetAsync(md.Metadata.NamespaceProperty, md.Metadata.Name, ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"ModelDeployment {md.Metadata.NamespaceProperty}/{md.Metadata.Name} vanished during a status write");
            }
        }
    }
}
