using System.Diagnostics;
using System.Text;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>
/// A registry that wants a login (Debian's docker-registry with htpasswd auth, bcrypt hashes made by apache2-utils'
/// htpasswd) on a free loopback port, holding two tiny images pushed with that login: <see cref="RootImage"/> (no
/// USER: runs as root) and <see cref="NonRootImage"/> (USER 65532:65532). Each is this machine's /bin/sh, sleep and id
/// and the libraries they link, imported with <c>podman import</c>: about 2 MB, so a test pulls in well under a second and no
/// base image has to be built or fetched. Made once per test class, on first use, so a skipped test makes nothing.
/// </summary>
public sealed class PrivateRegistry : IDisposable
{
    public const string User = "puller";
    public const string Password = "s3cret-pull";

    private readonly string _root = Directory.CreateTempSubdirectory("private-registry-").FullName;
    private readonly Lazy<Task> _ready;
    private Process? _registry;

    public PrivateRegistry() => _ready = new(StartAsync);

    public string Address { get; private set; } = "";
    public string RootImage => $"{Address}/tiny/shell:root";
    public string NonRootImage => $"{Address}/tiny/shell:nonroot";

    /// <summary>Starts the registry and pushes both images, once.</summary>
    public Task ReadyAsync()
    {
        if (ContainerEngine.WhyNot is { } why) throw new InvalidOperationException(why); // only under CI=true, where this must fail
        return _ready.Value;
    }

    /// <summary>The kubernetes.io/dockerconfigjson Secret a pod names in imagePullSecrets, as <c>kubectl create secret docker-registry</c> makes it.</summary>
    public V1Secret PullSecret(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Type = RegistryCredentials.DockerConfigJson,
        Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes(AuthJson()) },
    };

    private string AuthJson() =>
        $"{{\"auths\":{{\"{Address}\":{{\"username\":\"{User}\",\"password\":\"{Password}\",\"auth\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"))}\"}}}}}}";

    private async Task StartAsync()
    {
        Address = $"127.0.0.1:{FreePort.Next()}";
        ContainerEngine.Result htpasswd;
        try { htpasswd = await ContainerEngine.RunProgramAsync("htpasswd", ["-B", "-b", "-n", User, Password], new Dictionary<string, string>(), TimeSpan.FromSeconds(60)); }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"htpasswd is not installed (apache2-utils; make deps installs it): {e.Message}"); }
        if (htpasswd.ExitCode != 0) throw new InvalidOperationException($"htpasswd (apache2-utils, make deps) exited {htpasswd.ExitCode}: {htpasswd.Output}");
        await File.WriteAllTextAsync(Path.Combine(_root, "htpasswd"), htpasswd.Stdout);
        var config = Path.Combine(_root, "registry.yml");
        await File.WriteAllTextAsync(config,
            $"version: 0.1\nlog: {{level: warn}}\nstorage: {{filesystem: {{rootdirectory: {Path.Combine(_root, "data")}}}}}\nhttp: {{addr: {Address}}}\n" +
            $"auth: {{htpasswd: {{realm: private-registry-test, path: {Path.Combine(_root, "htpasswd")}}}}}\n");
        _registry = await DockerRegistryProcess.StartAsync(config, Address, status => status == System.Net.HttpStatusCode.Unauthorized, "401");

        var tar = await ShellTarAsync();
        var authFile = Path.Combine(_root, "auth.json");
        await File.WriteAllTextAsync(authFile, AuthJson());
        foreach (var (image, user) in new[] { (RootImage, (string?)null), (NonRootImage, "65532:65532") })
        {
            List<string> import = ["import", "--change", "ENTRYPOINT=[\"/bin/sh\"]"];
            if (user is not null) import.AddRange(["--change", $"USER={user}"]);
            await Podman([.. import, tar, image]);
            await Podman("push", "--tls-verify=false", "--authfile", authFile, image);
        }
    }

    /// <summary>A root filesystem holding /bin/sh, sleep and id and what <c>ldd</c> says they link (libc and the loader, libselinux for id), as a tar.</summary>
    private async Task<string> ShellTarAsync()
    {
        var rootfs = Directory.CreateDirectory(Path.Combine(_root, "rootfs")).FullName;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var program in (string[])["sh", "sleep", "id"])
        {
            var path = $"/bin/{program}";
            var real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
            files[path] = real;
            var ldd = await ContainerEngine.RunProgramAsync("ldd", [real], new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
            foreach (var library in System.Text.RegularExpressions.Regex.Matches(ldd.Stdout, @"(/\S+)").Select(m => m.Groups[1].Value)) files[library] = library;
        }
        foreach (var (to, from) in files)
        {
            var target = Path.Combine(rootfs, to.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(from, target, overwrite: true);
        }
        var tar = Path.Combine(_root, "shell.tar");
        var packed = await ContainerEngine.RunProgramAsync("tar", ["-C", rootfs, "-cf", tar, "."], new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
        if (packed.ExitCode != 0) throw new InvalidOperationException($"tar exited {packed.ExitCode}: {packed.Output}");
        return tar;
    }

    private static async Task Podman(params string[] args)
    {
        var result = await ContainerEngine.RunAsync(args);
        if (result.ExitCode != 0) throw new InvalidOperationException($"podman {string.Join(' ', args)} exited {result.ExitCode}: {result.Output}");
    }

    public void Dispose()
    {
        if (_registry is { HasExited: false })
        {
            _registry.Kill();
            _registry.WaitForExit();
        }
        _registry?.Dispose();
        if (Address.Length > 0)
            foreach (var image in new[] { RootImage, NonRootImage })
                ContainerEngine.RunAsync("rmi", "--force", image).GetAwaiter().GetResult();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
