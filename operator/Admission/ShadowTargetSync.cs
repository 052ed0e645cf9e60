using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Admission;

/// <summary>
/// Keeps the stable pods' shadow targets as the rollout wants them (issue 23): while a shadow phase runs, every admitted
/// stable pod (one started during the phase too) mirrors to a shadow pod (<see cref="ShadowTargets.Assign"/>); after
/// it, every stable pod is cleared. Called on every reconcile; a pod is written only when what it was last given differs
/// (a pod's container restart forgets its target, so a restart counts as a new pod). A pod that does not answer is
/// tried again on the next reconcile; mirroring never touches the answers users get, so a missed write is only a
/// missed copy. After an operator restart every stable pod of a model that had a shadow phase is cleared once.
/// </summary>
internal sealed class ShadowTargetSync(ShadowTargetClient client, ILogger logger)
{
    /// <summary>Seconds a stable pod waits for the shadow's answer to one copy.</summary>
    public const double CopyTimeoutSeconds = 2;

    private readonly ConcurrentDictionary<string, Dictionary<string, ShadowTargetRequest?>> _given = new();

    /// <summary>Sets or clears the targets of <paramref name="md"/>'s stable pods for <paramref name="status"/>, the status this reconcile decided.</summary>
    public async Task SyncAsync(ModelDeployment md, ModelDeploymentStatus? status, string revision, RolloutInputs inputs, CancellationToken ct)
    {
        var key = $"{md.Metadata.NamespaceProperty}/{md.Metadata.Name}";
        if (status is not { StableRevision: { } stable, Shadow: not null } || inputs.Pods.Count == 0)
        {
            _given.TryRemove(key, out _);
            return;
        }
        var stablePods = AnalysedPods.Of(inputs.Pods, inputs.Verdicts, stable);
        var running = RolloutStepper.ShadowRunning(status, revision) && md.Spec.Rollout?.Shadow is not null;
        var desired = running && md.Spec.Rollout?.Shadow is { } shadow
            ? ShadowTargets.Assign(stablePods, AnalysedPods.Of(inputs.Pods, inputs.Verdicts, revision), RolloutStepper.ShadowSettingsOf(shadow).Fraction, CopyTimeoutSeconds)
            : new Dictionary<string, ShadowTargetRequest>();
        var before = _given.GetValueOrDefault(key) ?? [];
        var after = new Dictionary<string, ShadowTargetRequest?>(StringComparer.Ordinal);
        foreach (var pod in stablePods)
        {
            var id = $"{pod.Metadata.Uid}/{pod.Status.ContainerStatuses?.Sum(c => c.RestartCount) ?? 0}";
            var want = desired.GetValueOrDefault(pod.Metadata.Name);
            var known = before.TryGetValue(id, out var had);
            // During the phase a pod never given a target (no shadow pod is admitted yet) has nothing to clear.
            if (known && had == want || !known && want is null && running)
            {
                if (known) after[id] = had;
                continue;
            }
            var state = want is null
                ? await client.ClearAsync(pod.Status.PodIP, ct).ConfigureAwait(false)
                : await client.SetAsync(pod.Status.PodIP, want, ct).ConfigureAwait(false);
            if (state.Error is not null)
            {
                logger.LogWarning("Could not {Action} the shadow target of pod {Namespace}/{Pod}: {Error}", want is null ? "clear" : "set",
                    pod.Metadata.NamespaceProperty, pod.Metadata.Name, state.Error);
                continue;
            }
            after[id] = want;
            logger.LogInformation("{Action} the shadow target of pod {Namespace}/{Pod}{Target}", want is null ? "Cleared" : "Set",
                pod.Metadata.NamespaceProperty, pod.Metadata.Name, want is null ? "" : $": {want.Url}, fraction {want.Fraction}");
        }
        _given[key] = after;
    }
}
