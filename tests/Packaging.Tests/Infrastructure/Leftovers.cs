namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>What a failed command left in a directory: nothing, if it cleaned up after itself.</summary>
internal static class Leftovers
{
    public static string[] In(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).ToArray() : [];
}
