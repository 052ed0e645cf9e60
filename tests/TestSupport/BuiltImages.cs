using System.Diagnostics;

namespace ModelOperator.TestSupport;

/// <summary>
/// The images <c>make images</c> builds (scripts/images.sh: the Dockerfiles with podman, stand-in Debian bases where
/// the public ones cannot be pulled), pushed to a docker-registry of the test's own on a free loopback port; built once
/// per test run, on first use, so that a skipped test builds nothing. A second build in the same run (another test
/// project) finds every layer in podman's cache and only pushes.
/// </summary>
public sealed class BuiltImages : IDisposable
{
    /// <summary>One pushed image: its name (model-operator, model-runtime), reference, size and pushed digest.</summary>
    public sealed record Image(string Name, string Reference, long Bytes, string Digest);

    private readonly string _root = Directory.CreateTempSubdirectory("images-test-").FullName;
    private readonly Lazy<Task<IReadOnlyDictionary<string, Image>>> _images;
    private Process? _registry;

    public BuiltImages() => _images = new(BuildAsync);

    public string Registry { get; private set; } = "";

    public async Task<Image> GetAsync(string name)
    {
        if (ContainerEngine.WhyNot is { } why) throw new InvalidOperationException(why); // only under CI=true, where this must fail
        var images = await _images.Value;
        return images.TryGetValue(name, out var image) ? image
            : throw new InvalidOperationException($"make images built no {name} image (built: {string.Join(", ", images.Keys)})");
    }

    private async Task<IReadOnlyDictionary<string, Image>> BuildAsync()
    {
        var port = FreePort.Next();
        Registry = $"127.0.0.1:{port}";
        var config = Path.Combine(_root, "registry.yml");
        await File.WriteAllTextAsync(config,
            $"version: 0.1\nlog: {{level: warn}}\nstorage: {{filesystem: {{rootdirectory: {Path.Combine(_root, "registry")}}}}}\nhttp: {{addr: {Registry}}}\n");
        _registry = await DockerRegistryProcess.StartAsync(config, Registry, status => status == System.Net.HttpStatusCode.OK, "200");

        var summary = Path.Combine(_root, "images.tsv");
        var build = await ContainerEngine.RunProgramAsync("bash", [RepoPaths.Of("scripts", "images.sh")],
            new Dictionary<string, string> { ["REGISTRY"] = Registry, ["IMAGES_SUMMARY"] = summary }, TimeSpan.FromMinutes(30));
        if (build.ExitCode != 0) throw new InvalidOperationException($"scripts/images.sh exited {build.ExitCode}:\n{build.Output}");
        return (await File.ReadAllLinesAsync(summary)).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => new Image(f[0], f[1], long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[3]));
    }

    public void Dispose()
    {
        if (_registry is { HasExited: false })
        {
            _registry.Kill();
            _registry.WaitForExit();
        }
        _registry?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
