namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Builds an output directory next to its target and moves it into place only when complete, so that a failure leaves
/// nothing half-written and an existing non-empty directory is only replaced with <c>--force</c>.
/// </summary>
internal sealed class StagedDirectory : IDisposable
{
    private readonly string _target;
    private readonly bool _force;
    private bool _committed;

    public string Path { get; }

    public StagedDirectory(string target, bool force)
    {
        _target = System.IO.Path.GetFullPath(target);
        _force = force;
        EnsureReplaceable(_target, force);
        var parent = System.IO.Path.GetDirectoryName(_target.TrimEnd('/')) ?? throw new PackageException($"cannot write to '{target}'");
        Directory.CreateDirectory(parent);
        Path = System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(_target.TrimEnd('/'))}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>Fails early when <paramref name="target"/> holds something and <paramref name="force"/> is not given.</summary>
    public static void EnsureReplaceable(string target, bool force)
    {
        if (File.Exists(target)) throw new PackageException($"output '{target}' is a file, not a directory");
        if (!force && Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new PackageException($"output directory '{target}' is not empty; pass --force to replace it");
    }

    public void Commit()
    {
        EnsureReplaceable(_target, _force);
        string? old = null;
        if (Directory.Exists(_target))
        {
            old = _target.TrimEnd('/') + $".old-{Guid.NewGuid():N}";
            Directory.Move(_target, old);
        }
        Directory.Move(Path, _target);
        _committed = true;
        if (old is not null) Directory.Delete(old, recursive: true);
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
