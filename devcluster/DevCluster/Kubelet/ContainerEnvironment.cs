using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// A container's environment as the kubelet makes it: what the kubelet sets itself, then each envFrom source in order
/// (a ConfigMap's data or a Secret's, every key behind the source's prefix; keys that are no valid variable name
/// skipped and reported), then <c>env</c> in order, each value <c>$(VAR)</c>-expanded against what came before. A
/// missing ConfigMap, Secret or key is the kubelet's own CreateContainerConfigError message unless the reference is
/// optional, in which case it is left out. Pure.
/// </summary>
public static partial class ContainerEnvironment
{
    /// <summary>The variables, and the envFrom keys skipped as invalid names (the kubelet's InvalidEnvironmentVariableNames event).</summary>
    public sealed record Result(Dictionary<string, string> Variables, IReadOnlyList<string> SkippedKeys);

    /// <param name="preset">What the kubelet sets before the pod spec's variables (they may override it).</param>
    /// <param name="adapt">Applied to each value (after expansion, for env): the process fallback's path and address rewrites.</param>
    public static Result Make(V1Pod pod, V1Container container, string podIp, string hostIp, IReadOnlyDictionary<string, string> preset,
        ConfigSources? sources, Func<string, string> adapt)
    {
        sources ??= ConfigSources.None;
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var env = new Dictionary<string, string>(preset, StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var from in container.EnvFrom ?? [])
        {
            IEnumerable<KeyValuePair<string, string>> data;
            string what;
            if (from.ConfigMapRef is { Name: { } configMap } cm)
            {
                what = $"configMap {ns}/{configMap}";
                if (sources.ConfigMaps.GetValueOrDefault(configMap) is not { } values)
                {
                    if (cm.Optional == true) continue;
                    throw new ContainerConfigException($"configmap \"{configMap}\" not found");
                }
                data = values;
            }
            else if (from.SecretRef is { Name: { } secret } sr)
            {
                what = $"secret {ns}/{secret}";
                if (sources.Secrets.GetValueOrDefault(secret) is not { } values)
                {
                    if (sr.Optional == true) continue;
                    throw new ContainerConfigException($"secret \"{secret}\" not found");
                }
                data = values.Select(kv => KeyValuePair.Create(kv.Key, Encoding.UTF8.GetString(kv.Value)));
            }
            else throw new ContainerConfigException($"container {container.Name}: an envFrom entry names neither a configMapRef nor a secretRef");
            var invalid = new List<string>();
            foreach (var (key, value) in data)
            {
                var name = (from.Prefix ?? "") + key;
                if (IsEnvVarName(name)) env[name] = adapt(value);
                else invalid.Add(name);
            }
            if (invalid.Count > 0)
            {
                invalid.Sort(StringComparer.Ordinal);
                skipped.Add($"Keys [{string.Join(", ", invalid)}] from the EnvFrom {what} were skipped since they are considered invalid environment variable names.");
            }
        }
        foreach (var variable in container.Env ?? [])
            if (ValueOf(pod, container, variable, podIp, hostIp, sources) is { } value)
                env[variable.Name] = adapt(ContainerLaunch.Expand(value, env));
        return new Result(env, skipped);
    }

    /// <summary>
    /// An env entry's value: its value, its downward API fieldRef, or its configMapKeyRef or secretKeyRef from the
    /// sources read for the container; null for an optional reference whose source or key is missing (the variable
    /// is left out). Other sources (resourceFieldRef) are refused.
    /// </summary>
    public static string? ValueOf(V1Pod pod, V1Container container, V1EnvVar variable, string podIp, string hostIp, ConfigSources? sources = null)
    {
        sources ??= ConfigSources.None;
        if (variable.ValueFrom is null) return variable.Value ?? "";
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        if (variable.ValueFrom.FieldRef?.FieldPath is { } path)
            return ContainerLaunch.FieldValue(pod, path, podIp, hostIp)
                ?? throw new ContainerConfigException($"container {container.Name}: env {variable.Name}: unsupported fieldRef fieldPath \"{path}\"");
        // The kubelet's own messages (CreateContainerConfigError) for a missing ConfigMap, Secret or key.
        if (variable.ValueFrom.ConfigMapKeyRef is { Name: { } configMap, Key: { } cmKey } cmRef)
        {
            if (sources.ConfigMaps.GetValueOrDefault(configMap) is not { } data)
                return cmRef.Optional == true ? null : throw new ContainerConfigException($"configmap \"{configMap}\" not found");
            if (!data.TryGetValue(cmKey, out var text))
                return cmRef.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {cmKey} in ConfigMap {ns}/{configMap}");
            return text;
        }
        if (variable.ValueFrom.SecretKeyRef is { Name: { } secret, Key: { } key } reference)
        {
            if (sources.Secrets.GetValueOrDefault(secret) is not { } data)
                return reference.Optional == true ? null : throw new ContainerConfigException($"secret \"{secret}\" not found");
            if (!data.TryGetValue(key, out var bytes))
                return reference.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {key} in Secret {ns}/{secret}");
            return Encoding.UTF8.GetString(bytes);
        }
        throw new ContainerConfigException(
            $"container {container.Name}: env {variable.Name}: only value and valueFrom.fieldRef, configMapKeyRef and secretKeyRef are supported by the dev cluster's kubelet");
    }

    /// <summary>Kubernetes' rule for an environment variable's name (IsEnvVarName): letters, digits, '_', '-', '.', not starting with a digit.</summary>
    public static bool IsEnvVarName(string name) => EnvVarName().IsMatch(name);

    [GeneratedRegex(@"^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();
}
