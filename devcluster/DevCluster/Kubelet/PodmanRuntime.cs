using System.Diagnostics;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The podman calls the kubelet makes around a container's <c>podman run</c> (<see cref="PodmanLaunch"/>): pulling its
/// image (honouring imagePullPolicy), reading the image's digest and the container's id and OOM verdict, and removing
/// it once it exited.
/// </summary>
internal sealed class PodmanRuntime(ContainerRuntimeOptions options)
{
    public ContainerRuntimeOptions Options => options;

    /// <summary>The podman version, as <c>kubectl get nodes -o wide</c> shows it (<c>podman://4.3.1</c>), or null where podman cannot run.</summary>
    public static string? Version(ContainerRuntimeOptions options)
    {
        var result = Run(options, TimeSpan.FromSeconds(60), "version", "--format", "{{.Client.Version}}").GetAwaiter().GetResult();
        return result.ExitCode == 0 ? $"podman://{result.Output.Trim()}" : null;
    }

    /// <summary>
    /// Pulls <paramref name="reference"/> unless policy and presence say not to; the registry's error when it fails, and
    /// the user the image runs as (read with the presence check, so a present image costs one podman call).
    /// With <paramref name="credentials"/> (the pod's image pull secrets that match the registry), each is tried in turn
    /// through an auth file of its own, in a folder only this user can read, removed after the pull, as the kubelet tries each
    /// login of its keyring; none: an anonymous pull.
    /// </summary>
    public async Task<(bool Pulled, string? Error, string? User)> PullAsync(string reference, string? pullPolicy, bool latestTag, IReadOnlyList<RegistryCredential>? credentials = null)
    {
        var user = await ImageUserAsync(reference);
        var present = user is not null;
        var policy = pullPolicy ?? (latestTag ? "Always" : "IfNotPresent");
        if (policy == "Never") return present ? (false, null, user) : (false, $"Container image \"{reference}\" is not present with pull policy of Never", null);
        if (present && policy == "IfNotPresent") return (false, null, user);
        var plain = IsLoopback(reference.Split('/')[0]);
        string[] pull = ["pull", "-q", $"--tls-verify={(plain ? "false" : "true")}"];
        if (credentials is not { Count: > 0 })
        {
            var anonymous = await Run(options, TimeSpan.FromMinutes(10), [.. pull, reference]);
            return anonymous.ExitCode == 0 ? (true, null, await ImageUserAsync(reference)) : (false, LastLine(anonymous), null);
        }
        var errors = new List<string>();
        foreach (var credential in credentials)
        {
            var folder = Directory.CreateTempSubdirectory("devcluster-auth-");
            try
            {
                var authFile = Path.Combine(folder.FullName, "auth.json");
                await File.WriteAllTextAsync(authFile, credential.AuthFile()); // in a folder of mode 0700 (mkdtemp)
                var result = await Run(options, TimeSpan.FromMinutes(10), [.. pull, "--authfile", authFile, reference]);
                if (result.ExitCode == 0) return (true, null, await ImageUserAsync(reference));
                errors.Add(LastLine(result));
            }
            finally { folder.Delete(recursive: true); }
        }
        // The kubelet's aggregate of the failed tries: the one error, or all of them in brackets.
        return (false, errors.Count == 1 ? errors[0] : $"[{string.Join(", ", errors)}]", null);
    }

    private static string LastLine((int ExitCode, string Output) result) =>
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"podman pull exited {result.ExitCode}";

    /// <summary>The user the image runs as (its config's User: <c>uid[:gid]</c>, a name, or empty for root); null when the image is not present.</summary>
    private async Task<string?> ImageUserAsync(string reference)
    {
        var inspect = await Run(options, TimeSpan.FromSeconds(60), "image", "inspect", "--format", "{{.Config.User}}", reference);
        return inspect.ExitCode == 0 ? inspect.Output.Trim() : null;
    }

    /// <summary>The image's digest as a pod's imageID shows it: <c>repository@sha256:…</c>.</summary>
    public async Task<string?> ImageIdAsync(string reference)
    {
        var tag = reference.LastIndexOf(':');
        var repository = tag > reference.LastIndexOf('/') ? reference[..tag] : reference;
        // The digest the registry serves it by: a locally built and pushed image keeps the digest of its own, uncompressed
        // manifest in podman's store, so a loopback (plain HTTP) registry is asked directly.
        var slash = reference.IndexOf('/');
        if (slash > 0 && IsLoopback(reference[..slash]) && tag > reference.LastIndexOf('/'))
        {
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                using var head = new HttpRequestMessage(HttpMethod.Head, $"http://{reference[..slash]}/v2/{repository[(slash + 1)..]}/manifests/{reference[(tag + 1)..]}");
                head.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
                head.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
                using var response = await http.SendAsync(head);
                if (response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var served)) return $"{repository}@{served.First()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        }
        var digests = await Run(options, TimeSpan.FromSeconds(60), "image", "inspect", "--format", "{{range .RepoDigests}}{{.}} {{end}}", reference);
        if (digests.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(d => d.StartsWith(repository + "@", StringComparison.Ordinal)) is { } known)
            return known;
        var inspect = await Run(options, TimeSpan.FromSeconds(60), "image", "inspect", "--format", "{{.Digest}}", reference);
        return inspect.ExitCode == 0 ? $"{repository}@{inspect.Output.Trim()}" : null;
    }

    /// <summary>A registry on loopback, spoken to over plain HTTP (Debian's docker-registry as the dev registry).</summary>
    private static bool IsLoopback(string host) => host.StartsWith("127.", StringComparison.Ordinal) || host == "localhost" || host.StartsWith("localhost:", StringComparison.Ordinal);

    /// <summary>The cgroup parent of one container (cgroupfs): <c>/devcluster/&lt;container name&gt;</c>.</summary>
    public static string CgroupParent(string name) => $"/devcluster/{name}";

    /// <summary>
    /// Whether the exited container was killed by the kernel's OOM killer at its memory limit: podman's own verdict
    /// where it has one, else (cgroup v1 with runc, as on these machines, where podman reports false and the kill is
    /// counted only in the container's own cgroup, removed with it) a SIGKILL exit the kubelet did not cause while
    /// the container's cgroup parent had peaked at the limit.
    /// </summary>
    public async Task<bool> OomKilledAsync(string name, int exitCode, long? memoryLimit)
    {
        if ((await Run(options, TimeSpan.FromSeconds(60), "container", "inspect", "--format", "{{.State.OOMKilled}}", name)).Output.Trim() == "true") return true;
        if (exitCode != 137 || memoryLimit is not { } limit) return false;
        var peak = Path.Combine("/sys/fs/cgroup/memory", CgroupParent(name).TrimStart('/'), "memory.max_usage_in_bytes");
        return File.Exists(peak) && long.TryParse(File.ReadAllText(peak).Trim(), out var bytes) && bytes >= limit - 64 * 1024;
    }

    /// <summary>The exited container's exit code as its conmon recorded it, or null where podman knows no such container.</summary>
    public async Task<int?> ExitCodeAsync(string name)
    {
        var inspect = await Run(options, TimeSpan.FromSeconds(60), "container", "inspect", "--format", "{{.State.ExitCode}}", name);
        return inspect.ExitCode == 0 && int.TryParse(inspect.Output.Trim(), out var code) ? code : null;
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, KILL) to the container's main process, as runc signals it; false where it runs no more.</summary>
    public async Task<bool> KillAsync(string name, string signal) =>
        (await Run(options, TimeSpan.FromSeconds(60), "kill", "--signal", signal, name)).ExitCode == 0;

    /// <summary>Removes the container, killing it first if it still runs (a kubelet that stopped without stopping it), and its cgroup parent.</summary>
    public async Task RemoveAsync(string name)
    {
        await Run(options, TimeSpan.FromSeconds(60), "rm", "--force", "--time", "0", "--ignore", name);
        var relative = CgroupParent(name).TrimStart('/');
        IEnumerable<string> roots = Directory.Exists("/sys/fs/cgroup") ? [.. Directory.EnumerateDirectories("/sys/fs/cgroup"), "/sys/fs/cgroup"] : [];
        // A cgroup folder goes with rmdir once its child cgroups are gone (its control files do not count); the
        // container's own cgroup below it may outlive `podman rm` by a moment.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var left = false;
            foreach (var dir in roots.Select(root => Path.Combine(root, relative)).Where(Directory.Exists))
                foreach (var folder in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).OrderByDescending(f => f.Length).Append(dir))
                {
                    try { Directory.Delete(folder); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { left = true; }
                }
            if (!left) return;
            await Task.Delay(100);
        }
    }

    private static async Task<(int ExitCode, string Output)> Run(ContainerRuntimeOptions options, TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo(options.Podman) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["CONTAINERS_CONF"] = options.ContainersConf;
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(limit);
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); return (124, $"podman {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s"); }
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (127, $"{options.Podman}: {e.Message}");
        }
    }
}
