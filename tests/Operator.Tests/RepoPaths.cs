namespace ModelOperator.Operator.Tests;

/// <summary>Finds files of the repository the tests were built from.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelOperator.sln"))) return dir.FullName;
        throw new InvalidOperationException($"ModelOperator.sln not found above {AppContext.BaseDirectory}");
    }
}
