namespace ModelOperator.Runtime.Store.NodeCache;

/// <summary>
/// A lock on one digest of the node cache: exclusive (an open lock file with <see cref="FileShare.None"/>, which .NET
/// takes as <c>flock(LOCK_EX)</c> on Linux) to pull or evict it, shared (read-only with <see cref="FileShare.Read"/>,
/// <c>flock(LOCK_SH)</c>) to verify and read it, so pods that find a complete entry verify it side by side while a pull
/// or an eviction excludes them all. The kernel drops a lock when its holder dies, so a puller that crashed never
/// blocks the next pod. Lock files are never deleted (deleting a held lock file would let a second process lock a new
/// file of the same name).
/// </summary>
internal sealed class NodeCacheLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly FileStream _file;

    private NodeCacheLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, waiting for its holder; <paramref name="waiting"/> is called once when it has to wait.</summary>
    public static async Task<NodeCacheLock> AcquireAsync(string path, Action? waiting, CancellationToken ct, bool shared = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var told = false;
        while (true)
        {
            if (TryAcquire(path, shared) is { } taken) return taken;
            if (!told) { waiting?.Invoke(); told = true; }
            await Task.Delay(Poll, ct);
        }
    }

    /// <summary>The lock when no one holds it in a conflicting way, else null (an evictor skips a digest that is being pulled or read).</summary>
    public static NodeCacheLock? TryAcquire(string path, bool shared = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            if (shared && !File.Exists(path)) using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite)) { }
            return new NodeCacheLock(shared
                ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            return null;
        }
    }

    /// <summary>
    /// A sharing violation (the file is locked), as opposed to a missing folder or a full disk: on Linux .NET reports
    /// flock's EWOULDBLOCK with the raw errno (11) as the HResult; ERROR_SHARING_VIOLATION elsewhere.
    /// </summary>
    internal static bool IsHeldElsewhere(IOException e) =>
        e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException && e.HResult is 11 or 35 or 32 or -2147024864;

    public void Dispose() => _file.Dispose();
}
