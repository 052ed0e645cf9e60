namespace ModelOperator.Runtime.Packaging;

/// <summary>Keeps file names taken from a package (layer titles, archive entries) inside the directory they are written to.</summary>
internal static class PathGuard
{
    /// <summary>Returns the full path of <paramref name="relative"/> under <paramref name="root"/>, refusing absolute paths and <c>..</c>.</summary>
    public static string ResolveInside(string root, string relative)
    {
        if (string.IsNullOrWhiteSpace(relative))
            throw new PackageException("the package names a file with an empty path");
        if (Path.IsPathRooted(relative) || relative.StartsWith('/') || relative.StartsWith('\\'))
            throw new PackageException($"the package names an absolute path '{relative}'; refusing to write outside the output directory");
        var segments = relative.Split('/', '\\');
        if (segments.Any(s => s == ".."))
            throw new PackageException($"the package names a path with '..' ('{relative}'); refusing to write outside the output directory");
        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        if (!full.StartsWith(fullRoot.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new PackageException($"the package path '{relative}' leads outside the output directory");
        return full;
    }
}
