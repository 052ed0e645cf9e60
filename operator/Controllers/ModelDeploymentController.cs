using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.Runtime;

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

        var api = new ModelDeploymentApi(client, http, metrics);
        var reconciler = new ModelDeploymentReconciler(models, deployments, services, api, new StatusWriter(api),
            new Finalizers(api, WellKnown.Finalizer), new EventRecorder(client, options.Identity, metrics, time, logger),
            new OperatorSettings(options.RuntimeImage), time, loggers.CreateLogger("ModelOperator.Reconciler"));

        var watchers = Task.WhenAll(modelWatchers.Select(w => w.RunAsync(stopTaking))
            .Concat(deploymentWatchers.Select(w => w.RunAsync(stopTaking))).Concat(serviceWatchers.Select(w => w.RunAsync(stopTaking))));
        // Reconciling before the child caches are full would re-apply children that already exist.
        var synced = Task.WhenAll(modelWatchers.Select(w => w.Synced).Concat(deploymentWatchers.Select(w => w.Synced)).Concat(serviceWatchers.Select(w => w.Synced)));
        if (await Task.WhenAny(synced, watchers).ConfigureAwait(false) != synced || stopTaking.IsCancellationRequested)
        {
            await watchers.ConfigureAwait(false);
            return;
        }
        logger.LogInformation("Caches synced: {Models} ModelDeployments, {Deployments} Deployments, {Services} Services",
            models.Count, deployments.Count, services.Count);
        _synced.TrySetResult();
        var workers = new ControllerLoop(Name, queue, reconciler, metrics, logger).RunAsync(options.Workers, stopTaking, abortWork);
        await Task.WhenAll(watchers, workers).ConfigureAwait(false);
    }
}
