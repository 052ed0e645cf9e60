using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The ConfigMaps and Secrets a container's environment names (envFrom, configMapKeyRef, secretKeyRef), read from the
/// API when the container starts, as the kubelet reads them, so that one created later is picked up by the next start.
/// A name mapped to null does not exist.
/// </summary>
public sealed record ConfigSources(
    IReadOnlyDictionary<string, IDictionary<string, string>?> ConfigMaps,
    IReadOnlyDictionary<string, IDictionary<string, byte[]>?> Secrets)
{
    public static readonly ConfigSources None = new(new Dictionary<string, IDictionary<string, string>?>(), new Dictionary<string, IDictionary<string, byte[]>?>());

    /// <summary>The ConfigMaps the container's env and envFrom name, in order, each once.</summary>
    public static IReadOnlyList<string> ConfigMapNames(V1Container container) =>
        (container.EnvFrom ?? []).Select(e => e.ConfigMapRef?.Name)
            .Concat((container.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The Secrets the container's env and envFrom name, in order, each once.</summary>
    public static IReadOnlyList<string> SecretNames(V1Container container) =>
        (container.EnvFrom ?? []).Select(e => e.SecretRef?.Name)
            .Concat((container.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
}
