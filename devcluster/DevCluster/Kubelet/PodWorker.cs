using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// One pod on its node: prepares its folder and volumes, runs a supervisor per container, writes its status through
/// <c>pods/status</c> whenever something changes, and, once the pod is deleted (deletionTimestamp), reports it not
/// ready first, stops its containers within the grace period and removes the object with gracePeriodSeconds=0.
/// </summary>
internal sealed class PodWorker
{
    private readonly IKubernetes _client;
    private readonly KubeletServices _services;
    private readonly PodSandbox _sandbox;
    private readonly List<ContainerSupervisor> _supervisors;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile bool _gone;
    private bool _terminating;

    private readonly string _stateDirectory;
    private PodVolumes? _volumes;

    public PodWorker(IKubernetes client, KubeletServices services, V1Pod pod, string podIp, string stateDirectory)
    {
        _client = client;
        _services = services;
        _stateDirectory = stateDirectory;
        var directory = Path.Combine(stateDirectory, "pods", $"{pod.Metadata.NamespaceProperty}_{pod.Metadata.Name}_{pod.Metadata.Uid}");
        _sandbox = new PodSandbox(pod, podIp, directory,
            c => (_volumes ?? throw new ContainerConfigException("the pod's volumes are not prepared")).MountsOf(c), Wake, ReadSecretAsync, ReadConfigMapAsync);
        _supervisors = pod.Spec.Containers.Select(c => new ContainerSupervisor(c, _sandbox, services)).ToList();
    }

    /// <summary>The pod as last seen.</summary>
    public V1Pod Pod => _sandbox.Pod;

    /// <summary>The pod's containers.</summary>
    public IReadOnlyList<ContainerSupervisor> Containers => _supervisors;

    /// <summary>Process groups of the containers running now.</summary>
    public IEnumerable<int> ProcessGroups => _supervisors.Select(s => s.ProcessGroup).OfType<int>();

    private async Task PrepareAsync(CancellationToken ct)
    {
        var pod = _sandbox.Pod;
        Directory.CreateDirectory(_sandbox.Directory);
        try
        {
            var node = await _client.CoreV1.ReadNodeAsync(pod.Spec.NodeName, cancellationToken: ct);
            _sandbox.HostIp = node.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address ?? _sandbox.HostIp;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
        _volumes = await PodVolumes.PrepareAsync(pod, _sandbox.Directory, _stateDirectory, _services.Options, _client, _services.Api, ct);
    }

    private async Task<V1Secret?> ReadSecretAsync(string name, CancellationToken ct)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedSecretAsync(name, _sandbox.Pod.Metadata.NamespaceProperty ?? "default", cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<V1ConfigMap?> ReadConfigMapAsync(string name, CancellationToken ct)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedConfigMapAsync(name, _sandbox.Pod.Metadata.NamespaceProperty ?? "default", cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A newer copy of the pod from the watch (readiness gates, deletion).</summary>
    public void Update(V1Pod pod)
    {
        _sandbox.Offer(pod);
        Wake();
    }

    /// <summary>The pod object is gone from the API: stop its containers without further writes.</summary>
    public void Gone()
    {
        _gone = true;
        Wake();
    }

    /// <summary>Runs the pod until it is deleted and removed, gone, or the kubelet shuts down (which stops its processes).</summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        await PrepareAsync(shutdown);
        var running = _supervisors.Select(s => Task.Run(s.RunAsync)).ToList();
        Task? termination = null;
        try
        {
            while (!shutdown.IsCancellationRequested && !_gone)
            {
                if (termination is null && _sandbox.Pod.Metadata.DeletionTimestamp is not null)
                {
                    _terminating = true;
                    await WriteStatusAsync(shutdown); // not ready first, so that endpoints drop the pod before it stops
                    termination = TerminateAsync();
                }
                await WriteStatusAsync(shutdown);
                if (termination is { IsCompleted: true })
                {
                    await RemoveAsync(shutdown);
                    break;
                }
                await _changed.WaitAsync(TimeSpan.FromSeconds(1), shutdown);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested) { }
        catch (Exception e)
        {
            _services.Logger.LogError(e, "Pod worker failed {Namespace}/{Pod}", _sandbox.Pod.Metadata.NamespaceProperty, _sandbox.Pod.Metadata.Name);
        }
        await Task.WhenAll(_supervisors.Select(s => s.StopAsync(_services.Options.ShutdownGracePeriod)));
        await Task.WhenAll(running);
        if (termination is not null) await termination;
        if (termination is not null || _gone)
            try { Directory.Delete(_sandbox.Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task TerminateAsync()
    {
        var pod = _sandbox.Pod;
        var grace = TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);
        foreach (var supervisor in _supervisors.Where(s => s.IsRunning))
            await _services.Events.NormalAsync(pod, supervisor.Snapshot.Name, "Killing", $"Stopping container {supervisor.Snapshot.Name}");
        await Task.WhenAll(_supervisors.Select(async s =>
        {
            // The pod is already reported not ready; this gap lets endpoints and the Service proxy drop it before its
            // server stops, as a preStop sleep does on a real cluster.
            var gap = TerminationGap.Of(s.Spec, _services.Options.TerminationDrainDelay, grace);
            if (gap > TimeSpan.Zero && s.IsRunning) await Task.Delay(gap);
            await s.StopAsync(grace - gap);
        }));
    }

    private async Task RemoveAsync(CancellationToken ct)
    {
        var pod = _sandbox.Pod;
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict) { }
        _services.Logger.LogInformation("Removed pod {Namespace}/{Pod}", pod.Metadata.NamespaceProperty, pod.Metadata.Name);
    }

    private async Task WriteStatusAsync(CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5 && !_gone; attempt++)
        {
            var pod = _sandbox.Pod;
            var snapshots = _supervisors.Select(s => s.Snapshot).ToList();
            var status = PodStatusBuilder.Build(pod, snapshots, _sandbox.PodIp, _sandbox.HostIp, _terminating, ContainerSupervisor.Now());
            if (KubernetesJson.Serialize(status) == KubernetesJson.Serialize(pod.Status)) return;
            try
            {
                var written = await _client.CoreV1.ReplaceNamespacedPodStatusAsync(
                    new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = pod.Metadata, Spec = pod.Spec, Status = status },
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                _sandbox.Offer(written);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                _sandbox.Offer(await _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct));
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                _gone = true;
            }
        }
    }

    private void Wake()
    {
        try { if (_changed.CurrentCount == 0) _changed.Release(); }
        catch (SemaphoreFullException) { }
    }
}
