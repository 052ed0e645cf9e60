using System.Text;
using System.Text.Json;

namespace ModelOperator.Runtime.Packaging;

/// <summary>A user name and password (or token) for one registry.</summary>
internal sealed record RegistryCredential(string Username, string Password);

/// <summary>
/// Registry credentials as <c>docker login</c> stores them: <c>auths</c> in <c>$DOCKER_CONFIG/config.json</c>,
/// else <c>~/.docker/config.json</c>. Credential helpers (<c>credsStore</c>) are not run; their hosts get no credentials.
/// </summary>
internal sealed class DockerCredentials(IReadOnlyDictionary<string, RegistryCredential> byHost, string source)
{
    public static readonly DockerCredentials None = new(new Dictionary<string, RegistryCredential>(), "(none)");

    /// <summary>Where the credentials were read from, for error messages.</summary>
    public string Source => source;

    public static string DefaultPath()
    {
        var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir)) dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return Path.Combine(dir, "config.json");
    }

    public static DockerCredentials Load(string? path = null)
    {
        path ??= DefaultPath();
        if (!File.Exists(path)) return new DockerCredentials(new Dictionary<string, RegistryCredential>(), path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new PackageException($"docker config '{path}' is not valid JSON: {e.Message}", e); }
        using (doc)
        {
            var result = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
            if (doc.RootElement.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    var credential = Parse(entry.Value, entry.Name, path);
                    if (credential is not null) result[NormalizeHost(entry.Name)] = credential;
                }
            }
            return new DockerCredentials(result, path);
        }
    }

    public RegistryCredential? For(string registry)
    {
        var host = NormalizeHost(registry);
        if (byHost.TryGetValue(host, out var credential)) return credential;
        return host is "docker.io" or "registry-1.docker.io" && byHost.TryGetValue("index.docker.io", out credential) ? credential : null;
    }

    private static RegistryCredential? Parse(JsonElement entry, string host, string path)
    {
        if (entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
            catch (FormatException) { throw new PackageException($"docker config '{path}': the auth for '{host}' is not base64"); }
            var colon = decoded.IndexOf(':');
            if (colon < 0) throw new PackageException($"docker config '{path}': the auth for '{host}' is not 'user:password'");
            return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
        }
        if (entry.TryGetProperty("username", out var user) && entry.TryGetProperty("password", out var password))
            return new RegistryCredential(user.GetString() ?? "", password.GetString() ?? "");
        return null;
    }

    /// <summary><c>docker login</c> keys entries as <c>host</c>, <c>host:port</c> or <c>https://host/v1/</c>.</summary>
    private static string NormalizeHost(string key)
    {
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        var slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        return host.ToLowerInvariant();
    }
}
