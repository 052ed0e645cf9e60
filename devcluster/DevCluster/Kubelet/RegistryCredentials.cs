using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>One registry login from an image pull secret: the key it is filed under (<c>host[:port][/path]</c>) and the user and password.</summary>
public sealed record RegistryCredential(string Registry, string Username, string Password)
{
    /// <summary>A podman <c>--authfile</c> (the docker config.json format) holding this one login.</summary>
    public string AuthFile() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["auths"] = new Dictionary<string, object>
        {
            [Registry] = new Dictionary<string, string> { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")) },
        },
    });

    public override string ToString() => $"{Username}@{Registry}"; // never the password
}

/// <summary>
/// The logins of a pod's <c>imagePullSecrets</c> that apply to an image, as the kubelet's keyring looks them up: the
/// Secrets of type <c>kubernetes.io/dockerconfigjson</c> (<c>.dockerconfigjson</c>, <c>{"auths": {…}}</c>) and
/// <c>kubernetes.io/dockercfg</c> (<c>.dockercfg</c>), every key matching the image's registry host (a <c>*</c> label
/// matches any one label, the port must be equal) and, where the key has a path, a prefix of the image's repository;
/// the most specific key first, and for one key the secrets in the pod's order. The kubelet tries each in turn. Pure.
/// </summary>
public static class RegistryCredentials
{
    public const string DockerConfigJson = "kubernetes.io/dockerconfigjson";
    public const string DockerCfg = "kubernetes.io/dockercfg";

    public static IReadOnlyList<RegistryCredential> For(string image, IEnumerable<V1Secret> secrets)
    {
        var target = Target(image);
        var byKey = new Dictionary<string, List<RegistryCredential>>(StringComparer.Ordinal);
        foreach (var secret in secrets)
            foreach (var (key, credential) in Entries(secret))
                if (Matches(key, target))
                {
                    if (!byKey.TryGetValue(key, out var list)) byKey[key] = list = [];
                    list.Add(credential);
                }
        return byKey.OrderByDescending(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value).ToList();
    }

    /// <summary>The logins one Secret holds, keyed as the keyring keys them; a malformed one is an error naming the Secret.</summary>
    public static IReadOnlyList<(string Key, RegistryCredential Credential)> Entries(V1Secret secret)
    {
        var entries = new List<(string, RegistryCredential)>();
        var name = secret.Metadata?.Name ?? "";
        JsonElement auths;
        try
        {
            if (secret.Type == DockerConfigJson && secret.Data is { } data && data.TryGetValue(".dockerconfigjson", out var json) && json is { Length: > 0 })
            {
                using var document = JsonDocument.Parse(json);
                if (!document.RootElement.TryGetProperty("auths", out var found) || found.ValueKind != JsonValueKind.Object)
                    throw new FormatException("it has no \"auths\" object");
                auths = found.Clone();
            }
            else if (secret.Type == DockerCfg && secret.Data is { } legacy && legacy.TryGetValue(".dockercfg", out var cfg) && cfg is { Length: > 0 })
            {
                using var document = JsonDocument.Parse(cfg);
                auths = document.RootElement.Clone();
            }
            else return entries;
        }
        catch (JsonException e)
        {
            throw new FormatException($"image pull secret \"{name}\" ({secret.Type}) is not valid JSON: {e.Message}");
        }
        catch (FormatException e) when (!e.Message.StartsWith("image pull secret", StringComparison.Ordinal))
        {
            throw new FormatException($"image pull secret \"{name}\" ({secret.Type}): {e.Message}");
        }
        foreach (var entry in auths.EnumerateObject())
        {
            string? user = entry.Value.TryGetProperty("username", out var u) ? u.GetString() : null;
            string? password = entry.Value.TryGetProperty("password", out var p) ? p.GetString() : null;
            if (entry.Value.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
            {
                // As the kubelet: "auth" (base64 of user:password) wins over the separate fields.
                string decoded;
                try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
                catch (FormatException) { throw new FormatException($"image pull secret \"{name}\": the \"auth\" of {entry.Name} is not base64"); }
                var colon = decoded.IndexOf(':');
                if (colon < 0) throw new FormatException($"image pull secret \"{name}\": the \"auth\" of {entry.Name} is not user:password");
                (user, password) = (decoded[..colon], decoded[(colon + 1)..]);
            }
            entries.Add((Key(entry.Name), new RegistryCredential(Key(entry.Name), user ?? "", password ?? "")));
        }
        return entries;
    }

    /// <summary>A config key as the keyring files it: no scheme, the docker client's <c>/v1/</c> and <c>/v2/</c> dropped, Docker Hub as docker.io.</summary>
    public static string Key(string location)
    {
        var key = Regex.Replace(location, "^https?://", "");
        key = Regex.Replace(key, "/v[12]/?$", "").TrimEnd('/');
        return key is "index.docker.io" or "registry-1.docker.io" ? "docker.io" : key;
    }

    /// <summary>An image reference's registry and repository (<c>host[:port]/path</c>), Docker Hub's short names expanded.</summary>
    public static string Target(string image)
    {
        var name = image.Split('@')[0];
        var lastSlash = name.LastIndexOf('/');
        var tag = name.LastIndexOf(':');
        if (tag > lastSlash) name = name[..tag];
        var first = name.Split('/')[0];
        var hasHost = name.Contains('/') && (first.Contains('.') || first.Contains(':') || first == "localhost");
        if (hasHost) return first is "index.docker.io" or "registry-1.docker.io" ? "docker.io" + name[first.Length..] : name;
        return name.Contains('/') ? $"docker.io/{name}" : $"docker.io/library/{name}";
    }

    private static bool Matches(string key, string target)
    {
        var (keyHost, keyPath) = Split(key);
        var (host, path) = Split(target);
        var (keyName, keyPort) = SplitPort(keyHost);
        var (name, port) = SplitPort(host);
        if (keyPort != port) return false;
        var keyLabels = keyName.Split('.');
        var labels = name.Split('.');
        if (keyLabels.Length != labels.Length) return false;
        for (var i = 0; i < labels.Length; i++)
            if (!Regex.IsMatch(labels[i], "^" + Regex.Escape(keyLabels[i]).Replace("\\*", "[^.]*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase))
                return false;
        return keyPath.Length == 0 || path == keyPath || path.StartsWith(keyPath.TrimEnd('/') + "/", StringComparison.Ordinal);
    }

    private static (string Host, string Path) Split(string reference)
    {
        var slash = reference.IndexOf('/');
        return slash < 0 ? (reference, "") : (reference[..slash], reference[(slash + 1)..]);
    }

    private static (string Name, string Port) SplitPort(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon < 0 ? (host, "") : (host[..colon], host[(colon + 1)..]);
    }
}
