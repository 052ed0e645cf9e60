namespace ModelOperator.Runtime.Store.NodeCache;

/// <summary>
/// Says "a running pod uses this digest": a file of its own under the entry's <c>users/</c> folder, held open and
/// locked for the process's life. Eviction skips a digest with a locked lease; a lease whose process died is unlocked
/// by the kernel and removed by the next eviction.
/// </summary>
internal sealed class NodeCacheLease : IDisposable
{
    private readonly FileStream _file;

    private NodeCacheLease(FileStream file, string path) { _file = file; Path = path; }

    public string Path { get; }

    public static NodeCacheLease Take(string usersFolder, string owner)
    {
        Directory.CreateDirectory(usersFolder);
        var path = System.IO.Path.Combine(usersFolder, $"{Sanitize(owner)}-{Environment.ProcessId}-{Guid.NewGuid():N}.lease");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        return new NodeCacheLease(file, path);
    }

    /// <summary>
    /// Whether any lease in <paramref name="usersFolder"/> is held by a live process; leases left by dead ones are deleted.
    /// </summary>
    public static bool AnyHeld(string usersFolder)
    {
        if (!Directory.Exists(usersFolder)) return false;
        var held = false;
        foreach (var lease in Directory.EnumerateFiles(usersFolder, "*.lease"))
        {
            try
            {
                using (new FileStream(lease, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(lease);
            }
            catch (FileNotFoundException) { }
            catch (IOException e) when (NodeCacheLock.IsHeldElsewhere(e))
            {
                held = true;
            }
        }
        return held;
    }

    private static string Sanitize(string owner) =>
        new(owner.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_').Take(100).ToArray());

    public void Dispose()
    {
        _file.Dispose();
        try { File.Delete(Path); } catch (IOException) { /* the next eviction removes it */ }
    }
}
