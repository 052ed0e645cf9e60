using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;
using ModelOperator.Operator.Runtime;

namespace ModelOperator.Operator.Admission;

/// <summary>
/// Admits runtime pods: once a pod's containers are ready (the model is loaded and benchmarked), reads its signature
/// and benchmark from the pod itself, asks <see cref="AdmissionDecider"/>, and sets the pod's readiness-gate condition
/// through <c>pods/status</c>. Decisions are remembered per pod and per admission inputs (gate, guard, stable
/// revision), so an unchanged pod costs no request; a restarted operator decides each ready pod once more.
/// </summary>
internal sealed class PodAdmitter(Kubernetes client, PodReportReader reader, EventRecorder events, OperatorMetrics metrics, ILogger logger)
{
    private readonly ConcurrentDictionary<string, (string Key, PodVerdict Verdict)> _decided = new();
    private readonly ConcurrentDictionary<string, ModelSignature> _signatures = new();

    /// <summary>Decides every ready pod of <paramref name="md"/> and returns what is known about each.</summary>
    public async Task<IReadOnlyList<PodVerdict>> AdmitAsync(ModelDeployment md, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        var verdicts = new List<PodVerdict>();
        var stableRevision = md.Status?.StableRevision;
        foreach (var pod in pods.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            if (pod.Metadata.DeletionTimestamp is not null || pod.Status?.PodIP is not { } ip || !IsTrue(pod, "ContainersReady")) continue;
            var revision = pod.Metadata.Labels?.TryGetValue(WellKnown.RevisionLabel, out var r) == true ? r! : "";
            var compareWith = stableRevision is not null && stableRevision != revision ? stableRevision : null;
            var gate = md.Spec.Benchmark?.Gate;
            var key = $"{gate?.MaxP95Ms}/{gate?.MinThroughput}|{md.Spec.Rollout?.AllowSignatureChange}|{compareWith}";
            var uid = pod.Metadata.Uid ?? pod.Metadata.Name;
            if (_decided.TryGetValue(uid, out var known) && known.Key == key)
            {
                verdicts.Add(known.Verdict);
                await EnsureConditionAsync(md, pod, known.Verdict, ct).ConfigureAwait(false);
                continue;
            }

            var node = pod.Spec?.NodeName ?? "";
            var report = await reader.ReportAsync(ip, node, md.Metadata.Name, ct).ConfigureAwait(false);
            if (report is null) { logger.LogDebug("Pod {Pod} did not answer its model endpoints yet", pod.Metadata.Name); continue; }
            _signatures.TryAdd(revision, report.Signature);
            ModelSignature? stableSignature = null;
            if (compareWith is not null)
            {
                stableSignature = await StableSignatureAsync(md, compareWith, pods, ct).ConfigureAwait(false);
                if (stableSignature is null) { logger.LogInformation("Waited for a ready pod of stable revision {Revision} to compare signatures", compareWith); continue; }
            }
            var decision = AdmissionDecider.Decide(md.Spec, stableSignature, report);
            if (decision.Admitted is null) continue;
            var shapes = report.Results.Select(x => x.InputShapes).FirstOrDefault(x => x is not null);
            var verdict = new PodVerdict(pod.Metadata.Name, revision, node, decision, report.Results, shapes, report.ModelSource);
            _decided[uid] = (key, verdict);
            verdicts.Add(verdict);
            await EnsureConditionAsync(md, pod, verdict, ct).ConfigureAwait(false);
        }
        return verdicts;
    }

    /// <summary>Forgets pods that are gone (called with every live pod uid of every ModelDeployment).</summary>
    public void Retain(IReadOnlySet<string> livePodUids)
    {
        foreach (var gone in _decided.Keys.Where(k => !livePodUids.Contains(k)).ToList()) _decided.TryRemove(gone, out _);
    }

    private async Task<ModelSignature?> StableSignatureAsync(ModelDeployment md, string stableRevision, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        if (_signatures.TryGetValue(stableRevision, out var known)) return known;
        foreach (var pod in pods.Where(p => p.Metadata.Labels?.TryGetValue(WellKnown.RevisionLabel, out var r) == true && r == stableRevision
                     && p.Status?.PodIP is not null && IsTrue(p, "ContainersReady")))
            if (await reader.SignatureAsync(pod.Status.PodIP, md.Metadata.Name, ct).ConfigureAwait(false) is { } s)
                return _signatures.GetOrAdd(stableRevision, s);
        return null;
    }

    // Patches the readiness-gate condition only when the pod does not already carry this verdict.
    private async Task EnsureConditionAsync(ModelDeployment md, V1Pod pod, PodVerdict verdict, CancellationToken ct)
    {
        var status = verdict.Decision.Admitted == true ? "True" : "False";
        var existing = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == WellKnown.AdmittedCondition);
        if (existing is not null && existing.Status == status && existing.Reason == verdict.Decision.Reason && existing.Message == verdict.Decision.Message) return;
        var patch = new
        {
            status = new
            {
                conditions = new[]
                {
                    new { type = WellKnown.AdmittedCondition, status, reason = verdict.Decision.Reason, message = verdict.Decision.Message,
                        lastTransitionTime = existing?.Status == status && existing.LastTransitionTime is { } t ? t : DateTime.UtcNow },
                },
            },
        };
        metrics.Writes.WithLabels("pods/status", "patch").Inc();
        await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.StrategicMergePatch),
            pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct).ConfigureAwait(false);
        if (verdict.Decision.Admitted == true)
            logger.LogInformation("Admitted pod {Namespace}/{Pod} revision={Revision} node={Node}", pod.Metadata.NamespaceProperty, pod.Metadata.Name, verdict.Revision, verdict.Node);
        else
            logger.LogWarning("Refused pod {Namespace}/{Pod} revision={Revision} node={Node} reason={Reason}: {Message}",
                pod.Metadata.NamespaceProperty, pod.Metadata.Name, verdict.Revision, verdict.Node, verdict.Decision.Reason, verdict.Decision.Message);
        await events.RecordAsync(md, verdict.Decision.Admitted == true ? "Normal" : "Warning",
            verdict.Decision.Admitted == true ? "PodAdmitted" : "PodRefused", $"Pod {pod.Metadata.Name} on node {verdict.Node}: {verdict.Decision.Message}", ct).ConfigureAwait(false);
    }

    private static bool IsTrue(V1Pod pod, string type) => pod.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;
}
