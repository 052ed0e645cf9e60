using k8s;
using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// A pod's volumes as local folders (there is no mount namespace): emptyDir under the pod's folder, a
/// PersistentVolumeClaim in a folder named after the claim (or the one configured for it), hostPath as itself,
/// configMap and secret written out as files; the node's host mounts (<see cref="KubeletOptions.HostMounts"/>) as
/// themselves. Other volume types are refused with a clear message. With an
/// <see cref="InClusterApi"/>, every container also gets the service account volume (<see cref="ServiceAccountProjection"/>).
/// </summary>
internal sealed class PodVolumes
{
    private readonly Dictionary<string, string> _folders = [];
    private readonly HashSet<string> _alwaysReadOnly = [];
    private readonly Dictionary<string, string> _problems = [];
    private string? _serviceAccountFolder;
    private IReadOnlyList<string> _hostMounts = [];

    private PodVolumes() { }

    public static async Task<PodVolumes> PrepareAsync(V1Pod pod, string podDirectory, string stateDirectory, KubeletOptions options,
        IKubernetes client, InClusterApi? api, CancellationToken ct)
    {
        var volumes = new PodVolumes { _hostMounts = options.HostMounts };
        if (api is not null && ServiceAccountProjection.Applies(pod))
            volumes._serviceAccountFolder = ServiceAccountProjection.Write(pod, podDirectory, api);
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            var own = Path.Combine(podDirectory, "volumes", volume.Name);
            try
            {
                string folder;
                if (volume.EmptyDir is not null) folder = own;
                else if (volume.PersistentVolumeClaim is { } claim)
                    folder = options.ClaimDirectories.TryGetValue(claim.ClaimName, out var configured) ? configured
                        : Path.Combine(stateDirectory, "volumes", "claims", ns, claim.ClaimName);
                else if (volume.HostPath is { } host) folder = host.Path;
                else if (volume.ConfigMap is { } cm)
                {
                    folder = own;
                    var map = await client.CoreV1.ReadNamespacedConfigMapAsync(cm.Name, ns, cancellationToken: ct);
                    WriteFiles(folder, (map.Data ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetBytes(kv.Value)), cm.Items);
                }
                else if (volume.Secret is { } secret)
                {
                    folder = own;
                    var value = await client.CoreV1.ReadNamespacedSecretAsync(secret.SecretName, ns, cancellationToken: ct);
                    WriteFiles(folder, value.Data ?? new Dictionary<string, byte[]>(), secret.Items);
                }
                else
                {
                    volumes._problems[volume.Name] = $"volume {volume.Name}: the dev cluster's kubelet supports emptyDir, persistentVolumeClaim, hostPath, configMap and secret volumes only";
                    continue;
                }
                Directory.CreateDirectory(folder);
                // As the kubelet makes an emptyDir: open to every user (0777), so a container running as a non-root
                // uid (the runtime's 65532) can write to it; a root-owned 0755 folder it could only read.
                if (volume.EmptyDir is not null && !OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
                volumes._folders[volume.Name] = folder;
                if (volume.ConfigMap is not null || volume.Secret is not null) volumes._alwaysReadOnly.Add(volume.Name); // as a kubelet mounts them
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                volumes._problems[volume.Name] = $"volume {volume.Name}: {(volume.ConfigMap is not null ? "configmap" : "secret")} \"{volume.ConfigMap?.Name ?? volume.Secret?.SecretName}\" not found";
            }
        }
        return volumes;
    }

    /// <summary>The container's mounts as local folders; throws <see cref="ContainerConfigException"/> for a volume that could not be prepared.</summary>
    public IReadOnlyList<LocalMount> MountsOf(V1Container container)
    {
        var mounts = new List<LocalMount>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (_problems.TryGetValue(mount.Name, out var problem)) throw new ContainerConfigException(problem);
            if (!_folders.TryGetValue(mount.Name, out var folder))
                throw new ContainerConfigException($"container {container.Name}: volumeMount {mount.Name} names no volume of the pod");
            var local = string.IsNullOrEmpty(mount.SubPath) ? folder : Path.Combine(folder, mount.SubPath);
            Directory.CreateDirectory(local);
            mounts.Add(new LocalMount(mount.MountPath, local, mount.ReadOnlyProperty == true || _alwaysReadOnly.Contains(mount.Name)));
        }
        // As the ServiceAccount admission plugin does: unless the container mounts something there itself.
        if (_serviceAccountFolder is not null && !mounts.Any(m => m.MountPath.TrimEnd('/') == ServiceAccountProjection.MountPath))
            mounts.Add(new LocalMount(ServiceAccountProjection.MountPath, _serviceAccountFolder, ReadOnly: true));
        // The host mounts, each at its own path, unless the container mounts a volume at exactly that path.
        foreach (var host in _hostMounts.Select(h => h.TrimEnd('/')).Where(h => h.Length > 0).Distinct())
            if (!mounts.Any(m => m.MountPath.TrimEnd('/') == host)) mounts.Add(new LocalMount(host, host, ReadOnly: true));
        return mounts;
    }

    private static void WriteFiles(string folder, IDictionary<string, byte[]> data, IList<V1KeyToPath>? items)
    {
        Directory.CreateDirectory(folder);
        foreach (var (key, bytes) in data)
        {
            var path = items is { Count: > 0 } ? items.FirstOrDefault(i => i.Key == key)?.Path : key;
            if (path is null) continue;
            var file = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, bytes);
        }
    }
}
