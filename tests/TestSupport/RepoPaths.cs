namespace ModelOperator.TestSupport;

/// <summary>Finds files of the repository the tests were built from.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding ModelOperator.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository root.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelOperator.sln"))) return dir.FullName;
        throw new InvalidOperationException($"ModelOperator.sln not found above {AppContext.BaseDirectory}");
    }
}
