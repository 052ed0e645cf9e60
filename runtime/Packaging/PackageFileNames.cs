using System.Text;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Which file names a package may give its model (a layer's <c>org.opencontainers.image.title</c>, an archive entry):
/// relative paths inside the output directory, none of the layout's own names (<c>index.json</c>, <c>oci-layout</c>,
/// <c>blobs/</c>), no control characters or NUL, each segment at most 255 bytes.
/// </summary>
internal static class PackageFileNames
{
    public const int MaxSegmentBytes = 255;

    private static readonly string[] Reserved = ["index.json", "oci-layout", "blobs"];

    /// <summary>Throws a <see cref="PackageException"/> naming what is wrong with <paramref name="name"/>.</summary>
    public static void Validate(string name, string where)
    {
        var shown = Show(name);
        if (name.Any(c => char.IsControl(c)))
            throw new PackageException($"{where} names its model file '{shown}', which holds a control character or NUL; refusing it");
        PathGuard.ResolveInside("/package", name);
        var segments = name.Split('/', '\\');
        if (segments.Any(s => s.Length == 0 || s == "."))
            throw new PackageException($"{where} names its model file '{shown}', which has an empty or '.' path segment; refusing it");
        if (segments.Any(s => Encoding.UTF8.GetByteCount(s) > MaxSegmentBytes))
            throw new PackageException($"{where} names its model file with a path segment over {MaxSegmentBytes} bytes; refusing it");
        if (Reserved.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
            throw new PackageException(
                $"{where} names its model file '{shown}', which is reserved for the package's own OCI layout (index.json, oci-layout, blobs/); refusing it");
    }

    /// <summary>The name with control characters escaped, so that the error is one printable line.</summary>
    private static string Show(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.Length > 80 ? name[..80] + "…" : name)
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return text.ToString();
    }
}
