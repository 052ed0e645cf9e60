using System.Diagnostics;
using System.Net;

namespace ModelOperator.TestSupport;

/// <summary>Debian's docker-registry serving a test's own config on loopback, started and awaited the same way everywhere.</summary>
public static class DockerRegistryProcess
{
    /// <summary>
    /// Starts <c>docker-registry serve CONFIG</c> (its output drained so it never blocks on a full pipe) and waits until
    /// <c>http://ADDRESS/v2/</c> answers with a status <paramref name="ready"/> accepts: 200 for an open registry, 401
    /// for one that wants a login.
    /// </summary>
    public static async Task<Process> StartAsync(string config, string address, Func<HttpStatusCode, bool> ready, string readyMeans)
    {
        var registry = Process.Start(new ProcessStartInfo("/usr/bin/docker-registry") { ArgumentList = { "serve", config }, RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("docker-registry did not start");
        registry.OutputDataReceived += (_, _) => { };
        registry.ErrorDataReceived += (_, _) => { };
        registry.BeginOutputReadLine();
        registry.BeginErrorReadLine();
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
        {
            try { return ready((await http.GetAsync($"http://{address}/v2/")).StatusCode); }
            catch (HttpRequestException) { return false; }
        }, $"docker-registry to answer /v2/ with {readyMeans}", TimeSpan.FromSeconds(30));
        return registry;
    }
}
