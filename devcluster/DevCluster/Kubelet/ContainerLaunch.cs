using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// Composes a container's process as Kubernetes composes a container: the image's entrypoint unless <c>command</c>
/// replaces it, then <c>args</c>, with <c>$(VAR)</c> references expanded; the environment of
/// <see cref="ContainerEnvironment"/> (envFrom, then env) after what the kubelet sets (HOSTNAME, POD_IP, MODEL_RUNTIME_HOST, and with an <see cref="InClusterApi"/>
/// KUBERNETES_SERVICE_HOST/PORT and the service account folder); since there is no mount namespace, every volume's
/// mountPath in env values, arguments and workingDir rewritten to its local folder (paths under a deeper host mount
/// left alone, see <see cref="Rewrite"/>); and since there is no network
/// namespace, the wildcard address 0.0.0.0 in env values and arguments rewritten to the pod's IP (what listening on
/// all of a pod's interfaces amounts to, and two pods can then use the same port). Pure.
/// </summary>
public static class ContainerLaunch
{
    /// <summary>Host variables a process needs to start at all (no container image provides them here).</summary>
    private static readonly string[] PassedThrough = ["PATH", "DOTNET_ROOT", "TMPDIR", "LANG", "TZ"];

    public static LaunchPlan Compose(V1Pod pod, V1Container container, IReadOnlyList<string> entrypoint, string podIp, string hostIp,
        IReadOnlyList<LocalMount> mounts, string podDirectory, Func<string, string?> hostEnvironment, InClusterApi? api = null,
        ConfigSources? sources = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in PassedThrough)
            if (hostEnvironment(name) is { Length: > 0 } value) env[name] = value;
        env["HOME"] = podDirectory;
        env["HOSTNAME"] = pod.Metadata.Name;
        env["POD_IP"] = podIp;
        env["MODEL_RUNTIME_HOST"] = podIp;
        if (api is not null)
        {
            env["KUBERNETES_SERVICE_HOST"] = api.Host;
            env["KUBERNETES_SERVICE_PORT"] = env["KUBERNETES_SERVICE_PORT_HTTPS"] = api.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (mounts.FirstOrDefault(m => m.MountPath.TrimEnd('/') == ServiceAccountProjection.MountPath) is { } account)
            env[ServiceAccountProjection.Variable] = account.LocalPath;
        var made = ContainerEnvironment.Make(pod, container, podIp, hostIp, env, sources, value => BindWildcard(Rewrite(value, mounts), podIp));
        env = made.Variables;

        List<string> words;
        if (container.Command is { Count: > 0 } command)
        {
            var program = Path.GetFileName(command[0]) == Path.GetFileName(entrypoint[0]) ? entrypoint[0] : Rewrite(command[0], mounts);
            words = [program, .. command.Skip(1), .. container.Args ?? []];
        }
        else words = [.. entrypoint, .. container.Args ?? []];
        var arguments = words.Skip(1).Select(w => BindWildcard(Rewrite(Expand(w, env), mounts), podIp)).ToList();
        var workingDirectory = container.WorkingDir is { Length: > 0 } dir ? Rewrite(dir, mounts) : podDirectory;
        return new LaunchPlan(words[0], arguments, env, workingDirectory) { SkippedEnvKeys = made.SkippedKeys };
    }

    /// <summary>The downward API's field paths.</summary>
    public static string? FieldValue(V1Pod pod, string path, string podIp, string hostIp)
    {
        var labelOrAnnotation = Regex.Match(path, @"^metadata\.(labels|annotations)\['(.+)'\]$");
        if (labelOrAnnotation.Success)
        {
            var map = labelOrAnnotation.Groups[1].Value == "labels" ? pod.Metadata.Labels : pod.Metadata.Annotations;
            return map is not null && map.TryGetValue(labelOrAnnotation.Groups[2].Value, out var v) ? v : "";
        }
        return path switch
        {
            "metadata.name" => pod.Metadata.Name,
            "metadata.namespace" => pod.Metadata.NamespaceProperty ?? "default",
            "metadata.uid" => pod.Metadata.Uid ?? "",
            "spec.nodeName" => pod.Spec.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "default",
            "status.podIP" or "status.podIPs" => podIp,
            "status.hostIP" or "status.hostIPs" => hostIp,
            _ => null,
        };
    }

    /// <summary>Kubernetes' <c>$(VAR)</c> expansion: defined variables are replaced, <c>$$</c> escapes, anything else stays.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> env)
    {
        if (!text.Contains('$')) return text;
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '$') { result.Append('$'); i++; continue; }
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '(')
            {
                var end = text.IndexOf(')', i + 2);
                if (end > 0 && env.TryGetValue(text[(i + 2)..end], out var value)) { result.Append(value); i = end; continue; }
            }
            result.Append(text[i]);
        }
        return result.ToString();
    }

    /// <summary>Replaces the IPv4 wildcard address 0.0.0.0 (not a CIDR such as 0.0.0.0/0) with the pod's IP.</summary>
    public static string BindWildcard(string text, string podIp) =>
        text.Contains("0.0.0.0", StringComparison.Ordinal) ? Regex.Replace(text, @"(?<![\d.])0\.0\.0\.0(?![\d.]|/\d)", podIp) : text;

    /// <summary>
    /// Rewrites each mountPath that appears as a path (alone, or after <c>=</c>, <c>:</c>, <c>,</c>, a space or quote) to
    /// its local folder, in one pass and by the deepest mount that holds the path, as a mount table resolves it: a path
    /// under a host mount (an identity mount, <see cref="KubeletOptions.HostMounts"/>) inside a volume's mountPath stays
    /// as it is, since a container sees that host folder there and not the volume; and a local folder written by one
    /// mount is never rewritten again by another.
    /// </summary>
    public static string Rewrite(string text, IReadOnlyList<LocalMount> mounts)
    {
        var byPath = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in mounts)
        {
            var path = mount.MountPath.TrimEnd('/');
            if (path.Length > 0 && text.Contains(path, StringComparison.Ordinal)) byPath.TryAdd(path, mount.LocalPath);
        }
        if (byPath.Count == 0) return text;
        // Longest first: at each position the alternation takes the deepest mountPath that ends at a path boundary.
        var alternatives = string.Join("|", byPath.Keys.OrderByDescending(p => p.Length).Select(Regex.Escape));
        return Regex.Replace(text, $@"(?<=^|[=:,\s""'])(?:{alternatives})(?=$|[/:,\s""'])", m => byPath[m.Value]);
    }
}
