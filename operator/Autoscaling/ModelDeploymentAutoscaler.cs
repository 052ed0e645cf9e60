using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Rollout;
using ModelOperator.Operator.Runtime;
using ModelOperator.Operator.ScaleToZero;

namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// Thin I/O around <see cref="ScalingDecider"/>: every interval, for each ModelDeployment with spec.autoscaling, reads
/// the signal (its ready pods' metrics, or Prometheus), decides, and writes status.replicas, latencyP95Ms,
/// lastScaleTime and the ScalingActive/ScalingLimited conditions, with an Event for each change. The reconciler then
/// sizes the Deployment from status.replicas (ChildObjects.Replicas), so scaling and rollouts share one write path.
/// The stabilization memory is in process, as the HorizontalPodAutoscaler keeps it: a restarted operator starts
/// from the replicas in status with an empty window, which can only delay a scale-down.
/// </summary>
internal sealed class ModelDeploymentAutoscaler(
    ObjectCache<ModelDeployment> models, ObjectCache<V1Pod> pods, PodMetricsScraper scraper, PrometheusClient prometheus,
    Kubernetes client, StatusWriter statusWriter, EventRecorder events, Action<string> reconcile, TimeProvider time, ILogger logger)
{
    /// <summary>The condition types the autoscaler owns.</summary>
    public const string ScalingActive = "ScalingActive", ScalingLimited = "ScalingLimited";

    private readonly ConcurrentDictionary<string, ScalingState> _states = new();
    private readonly ConcurrentDictionary<string, MetricsHistory> _histories = new();

    /// <summary>Runs a scaling step for every autoscaled ModelDeployment each <paramref name="interval"/> until stopped.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) await StepAllAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>One scaling step for every autoscaled ModelDeployment; a failure on one is logged and does not stop the others.</summary>
    public async Task StepAllAsync(CancellationToken ct)
    {
        foreach (var key in models.Keys)
        {
            if (models.Get(key) is not { } md || md.Spec.Autoscaling is null || md.Metadata.DeletionTimestamp is not null
                || SpecValidator.Validate(md).Count > 0)
            {
                _states.TryRemove(key, out _);
                _histories.TryRemove(key, out _);
                continue;
            }
            try { await StepAsync(key, md, ct).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning("Autoscaling step failed for ModelDeployment {Key}: {Error}", key, e.Message);
            }
        }
    }

    private async Task StepAsync(string key, ModelDeployment md, CancellationToken ct)
    {
        var spec = md.Spec.Autoscaling!;
        var window = Durations.TryParse(spec.Window) ?? TimeSpan.FromMinutes(1);
        var quantile = SignalReader.Quantile(spec.Metric);
        var ready = pods.OwnedBy(key).Where(Ready).ToList();
        var (signal, p95) = spec.Source == "prometheus"
            ? await ReadPrometheusAsync(md, spec, window, quantile, ct).ConfigureAwait(false)
            : await ReadPodsAsync(key, ready, window, quantile, ct).ConfigureAwait(false);

        var policy = new ScalingPolicy(spec.TargetMs, md.Spec.Replicas?.Min ?? 1, Math.Max(md.Spec.Replicas?.Max ?? 1, md.Spec.Replicas?.Min ?? 1),
            Durations.TryParse(spec.ScaleUpStabilization) ?? TimeSpan.Zero, Durations.TryParse(spec.ScaleDownStabilization) ?? TimeSpan.FromMinutes(5))
        {
            IdleAfter = spec.ScaleToZero is { } zero ? Durations.TryParse(zero.IdleAfter) : null,
        };
        var current = ChildObjects.Replicas(md);
        var gpu = await GpuCapacityAsync(key, md, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var decision = ScalingDecider.Decide(policy, signal, current, gpu, _states.GetValueOrDefault(key, ScalingState.Empty), now, Demand.At(md));
        _states[key] = decision.State;

        var previousActive = ConditionSet.Find(md.Status, ScalingActive);
        var stored = await statusWriter.WriteAsync(md, Apply(md, decision, p95, now), fresh => Apply(fresh, decision, p95, now), ct).ConfigureAwait(false);
        if (stored is not null)
        {
            // The cache now holds this version, so its watch event will not count as news: ask for the reconcile
            // that sizes the Deployment from status.replicas here.
            models.Upsert(stored);
            reconcile(key);
        }

        var observed = signal is ScalingSignal.Latency l ? $"{spec.Metric ?? "latencyP95"} {l.ObservedMs:0.#} ms against a target of {spec.TargetMs:0.#} ms" : "no requests over the window";
        if (decision.Changes && decision.Desired == 0)
        {
            logger.LogInformation("Scaled ModelDeployment {Key} to zero from={From}: {Why}", key, decision.Current, decision.ActiveMessage);
            await events.RecordAsync(md, "Normal", Phases.ScaledToZero, $"Scaled from {decision.Current} to 0 replicas: {decision.ActiveMessage}; the next request wakes it", ct).ConfigureAwait(false);
        }
        else if (decision.Changes)
        {
            var reason = decision.Desired > decision.Current ? "ScaledUp" : "ScaledDown";
            var message = $"Scaled from {decision.Current} to {decision.Desired} replicas: {observed}"
                + (decision.Limited ? $" ({decision.LimitedReason}: {decision.LimitedMessage})" : "");
            logger.LogInformation("Scaled ModelDeployment {Key} from={From} to={To} signal={Signal}", key, decision.Current, decision.Desired, observed);
            await events.RecordAsync(md, "Normal", reason, message, ct).ConfigureAwait(false);
        }
        if (ScalingActiveEvent.For(previousActive?.Reason, decision, Demand.SinceLastScale(md) is not null) is { } activeEvent)
            await events.RecordAsync(md, activeEvent.Type, activeEvent.Reason, decision.ActiveMessage, ct).ConfigureAwait(false);
        if (decision.LimitedReason == "InsufficientGPU" && ConditionSet.Find(md.Status, ScalingLimited)?.Reason != "InsufficientGPU")
            await events.RecordAsync(md, "Warning", "InsufficientGPU", decision.LimitedMessage, ct).ConfigureAwait(false);
    }

    // Returns null when nothing would change, so an unchanged step makes no write.
    private static ModelDeploymentStatus? Apply(ModelDeployment md, ScalingDecision decision, double? p95, DateTimeOffset now)
    {
        var status = KubernetesJson.Deserialize<ModelDeploymentStatus>(KubernetesJson.Serialize(md.Status ?? new ModelDeploymentStatus()));
        var before = KubernetesJson.Serialize(status);
        var stamp = new DateTime(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        status.Conditions ??= [];
        if (decision.Changes)
        {
            status.Replicas = decision.Desired;
            status.LastScaleTime = stamp;
        }
        if (p95 is { } ms) status.LatencyP95Ms = Math.Round(ms, 3);
        var generation = md.Metadata.Generation;
        var activeBefore = ConditionSet.Find(status, ScalingActive);
        if (activeBefore is null || activeBefore.Reason != decision.ActiveReason || activeBefore.Message != decision.ActiveMessage
            || activeBefore.Status != (decision.Active ? "True" : "False"))
            ConditionSet.Set(status.Conditions, ScalingActive, decision.Active, decision.ActiveReason, decision.ActiveMessage, generation, stamp);
        var limitedBefore = ConditionSet.Find(status, ScalingLimited);
        if (limitedBefore is null || limitedBefore.Reason != decision.LimitedReason || limitedBefore.Message != decision.LimitedMessage
            || limitedBefore.Status != (decision.Limited ? "True" : "False"))
            ConditionSet.Set(status.Conditions, ScalingLimited, decision.Limited, decision.LimitedReason, decision.LimitedMessage, generation, stamp);
        return KubernetesJson.Serialize(status) == before ? null : status;
    }

    private async Task<(ScalingSignal, double?)> ReadPodsAsync(string key, List<V1Pod> ready, TimeSpan window, double quantile, CancellationToken ct)
    {
        var history = _histories.GetOrAdd(key, _ => new MetricsHistory(window));
        var scrapes = await Task.WhenAll(ready.Select(p => scraper.ScrapeAsync(p.Metadata.Name, PodMetricsScraper.MetricsUri(p.Status.PodIP), ct))).ConfigureAwait(false);
        foreach (var scrape in scrapes) history.Record(scrape);
        var names = ready.Select(p => p.Metadata.Name).ToList();
        history.Retain(names);
        var measurement = history.Measure(names, time.GetUtcNow(), window);
        var p95 = measurement.LatencyQuantileMs(0.95);
        return (SignalReader.FromPods(measurement, quantile, names.Count), double.IsFinite(p95) ? p95 : null);
    }

    private async Task<(ScalingSignal, double?)> ReadPrometheusAsync(ModelDeployment md, AutoscalingSpec spec, TimeSpan window, double quantile, CancellationToken ct)
    {
        var ns = md.Metadata.NamespaceProperty;
        var query = spec.Query ?? PrometheusQueries.LatencyMs(quantile, ns, md.Metadata.Name, window);
        var latency = await prometheus.QueryAsync(spec.PrometheusUrl!, query, ct).ConfigureAwait(false);
        PrometheusAnswer? requests = null;
        // Only a missing latency needs the request count, to tell idle (nothing counted) from no data.
        if (latency.Error is null && !(latency.Value is { } ms && double.IsFinite(ms)))
            requests = await prometheus.QueryAsync(spec.PrometheusUrl!, PrometheusQueries.Requests(ns, md.Metadata.Name, window), ct).ConfigureAwait(false);
        var signal = SignalReader.FromPrometheus(latency, requests);
        var p95 = spec.Query is null && quantile == 0.95 && signal is ScalingSignal.Latency l ? l.ObservedMs : (double?)null;
        return (signal, p95);
    }

    private async Task<GpuCapacity> GpuCapacityAsync(string key, ModelDeployment md, CancellationToken ct)
    {
        var perPod = md.Spec.Gpu?.Count ?? 0;
        if (perPod <= 0) return new GpuCapacity(0, 0);
        var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: ct).ConfigureAwait(false);
        var allPods = await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false);
        // The pods' tolerations, not only the user's: the operator adds the GPU taint's toleration, and without it every
        // GPU node looked unschedulable (the dev cluster end-to-end test found "0 free" on 2 nodes with 3 GPUs free).
        return GpuCapacityCalculator.Compute(perPod, md.Spec.Gpu?.NodeSelector, DesiredDeployment.Tolerations(md.Spec), nodes.Items, allPods.Items.ToList(),
            p => pods.OwnerKey(p) == key) with { SurgeFor = CanarySurge.For(md) };
    }

    private static bool Ready(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && !string.IsNullOrEmpty(pod.Status?.PodIP)
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
