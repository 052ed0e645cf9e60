namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The kubelet's container runtime: podman with runc, configured by the project's own containers.conf. An image whose
/// reference starts with a key of <see cref="Mirrors"/> is pulled from that key's registry instead (as a registry
/// mirror does: <c>ghcr.io/modeloperator/model-runtime:0.1.0</c> from <c>127.0.0.1:5000/model-runtime:0.1.0</c>, where
/// <c>make images</c> pushes); a loopback registry is spoken to over plain HTTP.
/// </summary>
public sealed record ContainerRuntimeOptions
{
    /// <summary>The registry path the chart's images are named under, which the dev registry mirrors.</summary>
    public const string ProjectImages = "ghcr.io/modeloperator";

    /// <summary>The project's images pulled from <paramref name="registry"/> (a test run's own) instead of the dev registry.</summary>
    public static ContainerRuntimeOptions PullingProjectImagesFrom(string registry, string containersConf) =>
        new() { ContainersConf = containersConf, Mirrors = new Dictionary<string, string> { [ProjectImages] = registry } };

    /// <summary>The podman program.</summary>
    public string Podman { get; init; } = "podman";

    /// <summary>CONTAINERS_CONF for every podman call: images/containers.conf of the repository (runc, no default ulimits).</summary>
    public string ContainersConf { get; init; } = Path.Combine(DefaultImages.RepositoryRoot(), "images", "containers.conf");

    /// <summary>Image reference prefixes and the registry (with path) each is pulled from.</summary>
    public IReadOnlyDictionary<string, string> Mirrors { get; init; } = new Dictionary<string, string> { [ProjectImages] = "127.0.0.1:5000" };

    /// <summary>The reference podman pulls for <paramref name="image"/>: through the longest matching mirror, else itself.</summary>
    public string Resolve(string image)
    {
        foreach (var (prefix, registry) in Mirrors.OrderByDescending(m => m.Key.Length))
            if (image.StartsWith(prefix + "/", StringComparison.Ordinal)) return registry.TrimEnd('/') + image[prefix.Length..];
        return image;
    }
}
