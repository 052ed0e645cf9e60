using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>What every pod worker of the kubelet shares; <paramref name="Api"/> is how pods reach the API (none: no service account volume).</summary>
internal sealed record KubeletServices(KubeletOptions Options, IReadOnlyDictionary<string, string[]> Images, PodLogDirectory Logs,
    KubeletEvents Events, HttpClient Http, ILogger Logger, InClusterApi? Api = null)
{
    /// <summary>The container runtime when <see cref="KubeletOptions.Containers"/> is set; null: containers are processes.</summary>
    public PodmanRuntime? Podman { get; } = Options.Containers is { } containers ? new PodmanRuntime(containers) : null;
}

/// <summary>One pod's place on the node: its latest object, addresses, folder, volume mounts, and the Secrets and ConfigMaps of its namespace (null: not found).</summary>
internal sealed class PodSandbox(k8s.Models.V1Pod pod, string podIp, string directory,
    Func<k8s.Models.V1Container, IReadOnlyList<LocalMount>> mounts, Action changed,
    Func<string, CancellationToken, Task<k8s.Models.V1Secret?>>? readSecret = null,
    Func<string, CancellationToken, Task<k8s.Models.V1ConfigMap?>>? readConfigMap = null)
{
    private k8s.Models.V1Pod _pod = pod;

    /// <summary>The newest copy of the pod seen, from the watch or from the kubelet's own writes.</summary>
    public k8s.Models.V1Pod Pod => Volatile.Read(ref _pod);

    /// <summary>Takes a copy of the pod unless an equally new or newer one is held already.</summary>
    public void Offer(k8s.Models.V1Pod pod)
    {
        lock (this)
        {
            if (Version(pod) >= Version(_pod)) Volatile.Write(ref _pod, pod);
        }
    }

    private static long Version(k8s.Models.V1Pod pod) => long.TryParse(pod.Metadata.ResourceVersion, out var v) ? v : 0;

    public string PodIp { get; } = podIp;
    /// <summary>The node's address (its InternalIP), known once the pod is prepared.</summary>
    public string HostIp { get; set; } = "127.0.0.1";
    public string Directory { get; } = directory;
    public IReadOnlyList<LocalMount> MountsOf(k8s.Models.V1Container container) => mounts(container);

    /// <summary>
    /// The ConfigMaps and Secrets the container's env and envFrom name, read when the container starts (as the kubelet
    /// does, so one created later is picked up by the next start); null for one that does not exist.
    /// </summary>
    public async Task<ConfigSources> SourcesOfAsync(k8s.Models.V1Container container, CancellationToken ct)
    {
        var configMaps = new Dictionary<string, IDictionary<string, string>?>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, IDictionary<string, byte[]>?>(StringComparer.Ordinal);
        string? reading = null;
        try
        {
            foreach (var name in ConfigSources.ConfigMapNames(container))
            {
                reading = $"configmap \"{name}\"";
                configMaps[name] = readConfigMap is null ? null
                    : await readConfigMap(name, ct) is { } found ? found.Data ?? new Dictionary<string, string>() : null;
            }
            foreach (var name in ConfigSources.SecretNames(container))
            {
                reading = $"secret \"{name}\"";
                secrets[name] = readSecret is null ? null
                    : await readSecret(name, ct) is { } found ? found.Data ?? new Dictionary<string, byte[]>() : null;
            }
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            // The API could not answer (not a 404): the container waits and is tried again, as for a missing source.
            throw new ContainerConfigException($"couldn't read {reading}: {e.Message}");
        }
        return new ConfigSources(configMaps, secrets);
    }

    /// <summary>The pod's imagePullSecrets that exist, and the names of those that do not.</summary>
    public async Task<(IReadOnlyList<k8s.Models.V1Secret> Found, IReadOnlyList<string> Missing)> PullSecretsAsync(CancellationToken ct)
    {
        var found = new List<k8s.Models.V1Secret>();
        var missing = new List<string>();
        foreach (var name in (Pod.Spec.ImagePullSecrets ?? []).Select(r => r.Name).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            k8s.Models.V1Secret? secret;
            try { secret = readSecret is null ? null : await readSecret(name, ct); }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException) { secret = null; } // the kubelet pulls without it
            if (secret is not null) found.Add(secret);
            else missing.Add(name);
        }
        return (found, missing);
    }

    /// <summary>Tells the pod worker that a container's state changed, so it writes status.</summary>
    public void Changed() => changed();
}
