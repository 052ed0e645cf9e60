using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Admission;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Prefetch;
using ModelOperator.Operator.Rollout;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Runtime;

namespace ModelOperator.Operator.Controllers;

/// <summary>
/// Thin API code around <see cref="ReconcilePlanner"/>: reads the cached object and its children, asks the planner
/// what to write, and writes only that.
/// </summary>
internal sealed class ModelDeploymentReconciler(
    ObjectCache<ModelDeployment> models, ObjectCache<V1Deployment> deployments, ObjectCache<V1Service> services, ObjectCache<V1Pod> pods,
    ObjectCache<V1NetworkPolicy> networkPolicies, ModelDeploymentApi api, StatusWriter statusWriter, Finalizers finalizers, EventRecorder events, PodAdmitter admitter, CanaryAnalyser analyser,
    ShadowTargetSync shadowTargets, PrefetchSync prefetch, OperatorSettings settings, TimeProvider time, ILogger logger) : IReconciler
{
    /// <summary>
    /// Level-triggered and idempotent: it looks only at the current state, so running it twice, after a restart or
    /// for a stale event, writes nothing the second time. An invalid spec is reported in status, never retried.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (models.Get(key) is not { } cached) return ReconcileResult.Done; // gone: garbage collection owns the children
        var prefetching = false;
        if (cached.Metadata.DeletionTimestamp is null && cached.Spec?.Model is not null && SpecValidator.Validate(cached).Count == 0)
        {
            (cached, prefetching) = await prefetch.SyncAsync(key, cached, ct).ConfigureAwait(false);
            models.Upsert(cached);
        }
        var md = cached;
        var inputs = md.Metadata.DeletionTimestamp is null ? await ObserveAsync(key, md, ct).ConfigureAwait(false) : RolloutInputs.None;
        // Most reconciles find nothing to do; only copy (the writes below mutate) when something must be written.
        if (md.Metadata.DeletionTimestamp is null && Finalizers.Has(md, WellKnown.Finalizer) && Plan(md, inputs) is { IsNoOp: true } idle)
        {
            await shadowTargets.SyncAsync(md, md.Status, idle.Revision, inputs, ct).ConfigureAwait(false);
            return new ReconcileResult(WithNodeRecheck(idle.RequeueAfter, prefetching));
        }
        md = Copy(cached);
        if (md.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(key, md, ct).ConfigureAwait(false);
            return ReconcileResult.Done;
        }
        if (!Finalizers.Has(md, WellKnown.Finalizer))
        {
            md = await finalizers.EnsureAsync(md, ct).ConfigureAwait(false);
            models.Upsert(Copy(md));
        }

        var plan = Plan(md, inputs);
        if (plan.Errors.Count > 0)
        {
            if (plan.Status is not null)
            {
                await WriteStatusAsync(md, plan.Status, inputs, ct).ConfigureAwait(false);
                logger.LogWarning("Rejected ModelDeployment {Namespace}/{Name}: {Errors}", md.Metadata.NamespaceProperty, md.Metadata.Name, string.Join("; ", plan.Errors));
                await events.RecordAsync(md, "Warning", SpecValidator.Reason, string.Join("; ", plan.Errors), ct).ConfigureAwait(false);
            }
            return ReconcileResult.Done;
        }

        if (plan.DeploymentToApply is { } d)
        {
            deployments.Upsert(await api.ApplyDeploymentAsync(d, ct).ConfigureAwait(false));
            logger.LogDebug("Applied Deployment {Namespace}/{Name}", d.Metadata.NamespaceProperty, d.Metadata.Name);
        }
        if (plan.ServiceToApply is { } s)
        {
            services.Upsert(await api.ApplyServiceAsync(s, ct).ConfigureAwait(false));
            logger.LogDebug("Applied Service {Namespace}/{Name}", s.Metadata.NamespaceProperty, s.Metadata.Name);
        }
        if (plan.NetworkPolicyToApply is { } np)
        {
            networkPolicies.Upsert(await api.ApplyNetworkPolicyAsync(np, ct).ConfigureAwait(false));
            logger.LogDebug("Applied NetworkPolicy {Namespace}/{Name}", np.Metadata.NamespaceProperty, np.Metadata.Name);
        }
        foreach (var name in plan.DeploymentsToDelete)
        {
            await api.DeleteDeploymentAsync(md.Metadata.NamespaceProperty, name, ct).ConfigureAwait(false);
            await events.RecordAsync(md, "Normal", "RevisionSuperseded", $"Deleted Deployment {name}: revision {plan.Revision} is available", ct).ConfigureAwait(false);
        }
        if (plan.Status is not null) await WriteStatusAsync(md, plan.Status, inputs, ct).ConfigureAwait(false);
        // After the status: a shadow phase that just ended stops the mirroring at once, one that runs reaches new stable pods.
        await shadowTargets.SyncAsync(md, plan.Status ?? md.Status, plan.Revision, inputs, ct).ConfigureAwait(false);
        foreach (var e in plan.Events ?? [])
        {
            await events.RecordAsync(md, e.Type, e.Reason, e.Message, ct).ConfigureAwait(false);
            logger.LogInformation("Rollout of {Namespace}/{Name} {Reason}: {Message}", md.Metadata.NamespaceProperty, md.Metadata.Name, e.Reason, e.Message);
        }
        if (!plan.IsNoOp)
            logger.LogInformation("Reconciled ModelDeployment {Namespace}/{Name} revision={Revision} phase={Phase}",
                md.Metadata.NamespaceProperty, md.Metadata.Name, plan.Revision, plan.Status?.Phase ?? md.Status?.Phase);
        return new ReconcileResult(WithNodeRecheck(plan.RequeueAfter, prefetching));
    }

    // A prefetching model looks for new nodes now and then: node events do not reach this queue.
    private static TimeSpan? WithNodeRecheck(TimeSpan? requeueAfter, bool prefetching) =>
        !prefetching ? requeueAfter : requeueAfter is { } r && r < PrefetchSync.NodeRecheck ? r : PrefetchSync.NodeRecheck;

    // The I/O the planner needs beyond the caches: admission of ready pods and, during a canary, its analysis.
    private async Task<RolloutInputs> ObserveAsync(string key, ModelDeployment md, CancellationToken ct)
    {
        var owned = pods.OwnedBy(key).ToList();
        if (owned.Count == 0) return RolloutInputs.None;
        var verdicts = await admitter.AdmitAsync(md, owned, ct).ConfigureAwait(false);
        var revision = SpecValidator.Validate(md).Count == 0 ? RevisionHasher.Compute(md.Spec, settings) : null;
        var (check, shadow) = revision is null ? (null, null) : await analyser.AnalyseAsync(md, revision, owned, verdicts, Now(), ct).ConfigureAwait(false);
        return new RolloutInputs(owned, verdicts, check, shadow);
    }

    private DateTime Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private ReconcilePlan Plan(ModelDeployment md, RolloutInputs inputs)
    {
        var key = ObjectCache<ModelDeployment>.KeyOf(md);
        return ReconcilePlanner.Plan(md, deployments.OwnedBy(key), services.Get(key), settings, time.GetUtcNow().UtcDateTime, inputs,
            networkPolicies.OwnedBy(key).FirstOrDefault(p => p.Metadata.Name == DesiredNetworkPolicy.Name(md)));
    }

    private async Task WriteStatusAsync(ModelDeployment md, ModelDeploymentStatus status, RolloutInputs inputs, CancellationToken ct)
    {
        var stored = await statusWriter.WriteAsync(md, status, fresh => Plan(fresh, inputs).Status, ct).ConfigureAwait(false);
        if (stored is not null) models.Upsert(stored);
    }

    // Children go explicitly (not only through garbage collection), then the finalizer is released.
    private async Task FinalizeAsync(string key, ModelDeployment md, CancellationToken ct)
    {
        if (!Finalizers.Has(md, WellKnown.Finalizer)) return;
        foreach (var d in deployments.OwnedBy(key))
            await api.DeleteDeploymentAsync(d.Metadata.NamespaceProperty, d.Metadata.Name, ct).ConfigureAwait(false);
        if (services.Get(key) is { } svc && services.OwnerKey(svc) == key)
            await api.DeleteServiceAsync(svc.Metadata.NamespaceProperty, svc.Metadata.Name, ct).ConfigureAwait(false);
        await prefetch.DeleteAllAsync(key, ct).ConfigureAwait(false);
        await finalizers.RemoveAsync(md, ct).ConfigureAwait(false);
        logger.LogInformation("Finalized ModelDeployment {Namespace}/{Name}", md.Metadata.NamespaceProperty, md.Metadata.Name);
    }

    private static ModelDeployment Copy(ModelDeployment md) => KubernetesJson.Deserialize<ModelDeployment>(KubernetesJson.Serialize(md));
}
