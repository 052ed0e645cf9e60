using System.Text;
using System.Text.Json;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>Writes a <c>config.json</c> the way <c>docker login</c> does: <c>auths[host].auth</c> = base64(user:password).</summary>
internal static class DockerConfigFile
{
    /// <summary>Writes <c>&lt;dir&gt;/config.json</c> and returns <paramref name="dir"/> (the value for DOCKER_CONFIG).</summary>
    public static string Write(string dir, string host, string user, string password)
    {
        Directory.CreateDirectory(dir);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        var json = JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [host] = new { auth } } });
        File.WriteAllText(Path.Combine(dir, "config.json"), json);
        return dir;
    }
}
