using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The probes of one container instance: the startup probe first (nothing else runs until it passes), then liveness
/// and readiness side by side, each after its initialDelaySeconds and every periodSeconds. Readiness sets the
/// container's ready flag; a failed startup or liveness verdict asks the supervisor to kill and restart it. Every
/// failed attempt is an Unhealthy event carrying the probe's message.
/// </summary>
internal sealed class ContainerProbes(V1Container spec, PodSandbox sandbox, KubeletServices services, LaunchPlan plan,
    Action<Func<ContainerSnapshot, ContainerSnapshot>> update, TaskCompletionSource<string> unhealthy)
{
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            if (spec.StartupProbe is { } startup)
            {
                if (!await RunProbeAsync("Startup", startup, untilPassing: true, ct)) return;
                update(s => s with { Started = true, Ready = spec.ReadinessProbe is null });
            }
            var loops = new List<Task>();
            if (spec.LivenessProbe is { } liveness) loops.Add(RunProbeAsync("Liveness", liveness, untilPassing: false, ct));
            if (spec.ReadinessProbe is { } readiness) loops.Add(RunProbeAsync("Readiness", readiness, untilPassing: false, ct));
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Probes until cancelled (or, for startup, until it passes); false when a startup/liveness verdict failed.</summary>
    private async Task<bool> RunProbeAsync(string kind, V1Probe probe, bool untilPassing, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)), ct);
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        // Liveness and startup need exactly one success, as the API server's validation insists.
        var successes = kind == "Readiness" ? probe.SuccessThreshold ?? 1 : 1;
        var tracker = ProbeTracker.Initial;
        while (!ct.IsCancellationRequested)
        {
            var (success, message) = await ProbeCheck.RunAsync(probe, spec, sandbox.PodIp, plan, services.Http, ct);
            ct.ThrowIfCancellationRequested();
            if (!success) await services.Events.WarningAsync(sandbox.Pod, spec.Name, "Unhealthy", $"{kind} probe failed: {message}");
            tracker = tracker.Observe(success, successes, probe.FailureThreshold ?? 3);
            switch (kind)
            {
                case "Readiness" when tracker.Passing is { } passing:
                    update(s => s.Ready == passing ? s : s with { Ready = passing });
                    break;
                case "Startup" when tracker.Passing == true:
                    return true;
                case "Startup" or "Liveness" when tracker.Passing == false:
                    unhealthy.TrySetResult($"Container {spec.Name} failed {kind.ToLowerInvariant()} probe, will be restarted");
                    return false;
            }
            await Task.Delay(period, ct);
        }
        return !untilPassing;
    }
}
