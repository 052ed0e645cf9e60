using System.Diagnostics;

namespace ModelOperator.TestSupport;

/// <summary>
/// The images <c>make images</c> builds (scripts/images.sh: the Dockerfiles with podman, stand-in Debian bases where
/// the public ones cannot be pulled), pushed to a docker-registry of the test run's own on a free loopback port; built
/// once per test process on first use (every fixture instance shares that build), so that a skipped test builds
/// nothing. A second build in the same run (another test project) finds every layer in podman's cache and only pushes.
/// </summary>
public sealed class BuiltImages : IDisposable
{
    /// <summary>One pushed image: its name (model-operator, model-runtime), reference, size and pushed digest.</summary>
    public sealed record Image(string Name, string Reference, long Bytes, string Digest);

    private static readonly string s_root = Directory.CreateTempSubdirectory("images-test-").FullName;
    private static readonly Lazy<Task<IReadOnlyDictionary<string, Image>>> s_images = new(BuildAsync);
    private static Process? s_registry;
    private static string s_host = "";

    static BuiltImages() => AppDomain.CurrentDomain.ProcessExit += (_, _) => StopRegistry();

    /// <summary>The registry the images were pushed to (host:port), once <see cref="GetAsync"/> has built them.</summary>
    public string Registry => s_host;

    public async Task<Image> GetAsync(string name)
    {
        if (ContainerEngine.WhyNot is { } why) throw new InvalidOperationException(why); // only under CI=true, where this must fail
        var images = await s_images.Value;
        return images.TryGetValue(name, out var image) ? image
            : throw new InvalidOperationException($"make images built no {name} image (built: {string.Join(", ", images.Keys)})");
    }

    /// <summary>
    /// For a dev cluster whose pods run as containers, as <c>make dev-cluster</c> runs them: the registry holding the
    /// built images (the kubelet's mirror for ghcr.io/modeloperator), or null where podman cannot run, which
    /// <paramref name="say"/> is told (under CI=true that is a failure instead).
    /// </summary>
    public static async Task<string?> RegistryForPodsAsync(Action<string> say)
    {
        if (ContainerEngine.WhyNot is { } why && !ContainerEngine.InCi)
        {
            say($"Pods run as processes: {why}");
            return null;
        }
        var images = new BuiltImages();
        await images.GetAsync("model-runtime");
        return images.Registry;
    }

    private static async Task<IReadOnlyDictionary<string, Image>> BuildAsync()
    {
        var host = $"127.0.0.1:{FreePort.Next()}";
        var config = Path.Combine(s_root, "registry.yml");
        await File.WriteAllTextAsync(config,
            $"version: 0.1\nlog: {{level: warn}}\nstorage: {{filesystem: {{rootdirectory: {Path.Combine(s_root, "registry")}}}}}\nhttp: {{addr: {host}}}\n");
        s_registry = await DockerRegistryProcess.StartAsync(config, host, status => status == System.Net.HttpStatusCode.OK, "200");
        s_host = host;

        var summary = Path.Combine(s_root, "images.tsv");
        var build = await ContainerEngine.RunProgramAsync("bash", [RepoPaths.Of("scripts", "images.sh")],
            new Dictionary<string, string> { ["REGISTRY"] = host, ["IMAGES_SUMMARY"] = summary }, TimeSpan.FromMinutes(30));
        if (build.ExitCode != 0) throw new InvalidOperationException($"scripts/images.sh exited {build.ExitCode}:\n{build.Output}");
        return (await File.ReadAllLinesAsync(summary)).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => new Image(f[0], f[1], long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[3]));
    }

    /// <summary>Nothing: the build and its registry live until the test process exits.</summary>
    public void Dispose() { }

    private static void StopRegistry()
    {
        if (s_registry is { HasExited: false })
        {
            s_registry.Kill();
            s_registry.WaitForExit();
        }
        s_registry?.Dispose();
        try { Directory.Delete(s_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
