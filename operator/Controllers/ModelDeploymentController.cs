using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Admission;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Autoscaling;
using ModelOperator.Operator.PodMetrics;
using ModelOperator.Operator.Prefetch;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Runtime;
using ModelOperator.Operator.ScaleToZero;

namespace ModelOperator.Operator.Controllers;

/// <summary>
/// Wires the ModelDeployment controller: watches ModelDeployments and the Deployments and Services the operator
/// manages, maps child events to the owner's key through the owner label, and runs the reconcile workers.
/// </summary>
internal sealed class ModelDeploymentController(Kubernetes client, OperatorOptions options, OperatorMetrics metrics, TimeProvider time, ILoggerFactory loggers)
{
    private const string Name = "modeldeployment";
    private static readonly string ManagedSelector = $"{WellKnown.ManagedByLabel}={WellKnown.FieldManager}";
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every cache holds its first list.</summary>
    public Task Synced => _synced.Task;

    public async Task RunAsync(CancellationToken stopTaking, CancellationToken abortWork)
    {
        var logger = loggers.CreateLogger("ModelOperator.Controller");
        using var queue = new WorkQueue<string>(time, options.BackoffBase, options.BackoffCap);
        var models = new ObjectCache<ModelDeployment>();
        var deployments = new ObjectCache<V1Deployment>(WellKnown.NameLabel);
        var services = new ObjectCache<V1Service>(WellKnown.NameLabel);
        var pods = new ObjectCache<V1Pod>(WellKnown.NameLabel);
        var prefetchPods = new ObjectCache<V1Pod>(WellKnown.PrefetchForLabel);
        var networkPolicies = new ObjectCache<V1NetworkPolicy>(WellKnown.NameLabel);
        var http = new KubeHttp(client);
        var watchLogger = loggers.CreateLogger("ModelOperator.Watch");

        // Cluster-wide, or one set of watchers per namespace of --watch-namespaces (which the chart grants Roles in).
        var scopes = options.WatchNamespaces.Count == 0 ? [null] : options.WatchNamespaces.Select(n => (string?)n).ToList();
        string In(string? ns, string prefix, string plural) => ns is null ? $"{prefix}/{plural}" : $"{prefix}/namespaces/{ns}/{plural}";
        var modelWatchers = scopes.Select(ns => new ResourceWatcher<ModelDeployment>(http, In(ns, $"/apis/{ModelDeployment.Group}/{ModelDeployment.Version}", ModelDeployment.Plural), null,
            models, (_, md) => queue.Add(ObjectCache<ModelDeployment>.KeyOf(md)), watchLogger, metrics, options.WatchTimeout, ns)).ToList();
        var deploymentWatchers = scopes.Select(ns => new ResourceWatcher<V1Deployment>(http, In(ns, "/apis/apps/v1", "deployments"), ManagedSelector,
            deployments, (_, d) => { if (deployments.OwnerKey(d) is { } k) queue.Add(k); }, watchLogger, metrics, options.WatchTimeout, ns)).ToList();
        var serviceWatchers = scopes.Select(ns => new ResourceWatcher<V1Service>(http, In(ns, "/api/v1", "services"), ManagedSelector,
            services, (_, s) => { if (services.OwnerKey(s) is { } k) queue.Add(k); }, watchLogger, metrics, options.WatchTimeout, ns)).ToList();
        // Runtime pods: their readiness (admission), scheduling failures and metrics drive rollouts.
        var podWatchers = scopes.Select(ns => new ResourceWatcher<V1Pod>(http, In(ns, "/api/v1", "pods"), $"{ManagedSelector},!{WellKnown.PrefetchForLabel}",
            pods, (_, p) => { if (pods.OwnerKey(p) is { } k) queue.Add(k); }, watchLogger, metrics, options.WatchTimeout, ns))
            // Prefetch pods (spec.model.cache.prefetch): whether each node's cache holds the model.
            .Concat(scopes.Select(ns => new ResourceWatcher<V1Pod>(http, In(ns, "/api/v1", "pods"), $"{ManagedSelector},{WellKnown.PrefetchForLabel}",
                prefetchPods, (_, p) => { if (prefetchPods.OwnerKey(p) is { } k) queue.Add(k); }, watchLogger, metrics, options.WatchTimeout, ns))).ToList();

        // The runtime pods' NetworkPolicies, only when the operator writes them (--management-peer): a hand edit is put back.
        var policyWatchers = options.ManagementPeer is null ? [] : scopes.Select(ns => new ResourceWatcher<V1NetworkPolicy>(http, In(ns, "/apis/networking.k8s.io/v1", "networkpolicies"),
            ManagedSelector, networkPolicies, (_, p) => { if (networkPolicies.OwnerKey(p) is { } k) queue.Add(k); }, watchLogger, metrics, options.WatchTimeout, ns)).ToList();

        var api = new ModelDeploymentApi(client, http, metrics);
        var events = new EventRecorder(client, options.Identity, metrics, time, logger);
        using var podHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) });
        var admitter = new PodAdmitter(client, new PodReportReader(podHttp, options.RuntimePort), events, metrics, loggers.CreateLogger("ModelOperator.Admission"));
        var shadowClient = new ShadowTargetClient(podHttp);
        var analyser = new CanaryAnalyser(new PodMetricsScraper(podHttp, time), options.RuntimePort, shadowClient);
        var settings = new OperatorSettings(options.RuntimeImage, options.NodeCache, options.ManagementPeer);
        var prefetch = new PrefetchSync(client, api, new StatusWriter(api), prefetchPods, settings, events, loggers.CreateLogger("ModelOperator.Prefetch"));
        var reconciler = new ModelDeploymentReconciler(models, deployments, services, pods, networkPolicies, api, new StatusWriter(api),
            new Finalizers(api, WellKnown.Finalizer), events, admitter, analyser,
            new ShadowTargetSync(shadowClient, loggers.CreateLogger("ModelOperator.ShadowTargets")),
            prefetch, settings, time, loggers.CreateLogger("ModelOperator.Reconciler"));
        var autoscaler = new ModelDeploymentAutoscaler(models, pods, new PodMetricsScraper(podHttp, time), new PrometheusClient(podHttp),
            client, new StatusWriter(api), events, queue.Add, time, loggers.CreateLogger("ModelOperator.Autoscaler"));

        var watchers = Task.WhenAll(modelWatchers.Select(w => w.RunAsync(stopTaking))
            .Concat(deploymentWatchers.Select(w => w.RunAsync(stopTaking))).Concat(serviceWatchers.Select(w => w.RunAsync(stopTaking)))
            .Concat(podWatchers.Select(w => w.RunAsync(stopTaking))).Concat(policyWatchers.Select(w => w.RunAsync(stopTaking))));
        // Reconciling before the child caches are full would re-apply children that already exist.
        var synced = Task.WhenAll(modelWatchers.Select(w => w.Synced).Concat(deploymentWatchers.Select(w => w.Synced))
            .Concat(serviceWatchers.Select(w => w.Synced)).Concat(podWatchers.Select(w => w.Synced)).Concat(policyWatchers.Select(w => w.Synced)));
        if (await Task.WhenAny(synced, watchers).ConfigureAwait(false) != synced || stopTaking.IsCancellationRequested)
        {
            await watchers.ConfigureAwait(false);
            return;
        }
        logger.LogInformation("Caches synced: {Models} ModelDeployments, {Deployments} Deployments, {Services} Services",
            models.Count, deployments.Count, services.Count);
        _synced.TrySetResult();
        var workers = new ControllerLoop(Name, queue, reconciler, metrics, logger).RunAsync(options.Workers, stopTaking, abortWork);
        var scaling = autoscaler.RunAsync(options.AutoscaleInterval, stopTaking);
        var routing = options.ActivatorService?.Split('/') is [var activatorNs, var activatorName]
            ? new ActivatorRouting(models, services, pods, client, activatorNs, activatorName, loggers.CreateLogger("ModelOperator.ActivatorRouting"))
                .RunAsync(options.ActivatorSyncInterval, stopTaking)
            : Task.CompletedTask;
        await Task.WhenAll(watchers, workers, scaling, routing).ConfigureAwait(false);
    }
}
