namespace ModelOperator.DevCluster.Kubelet;

/// <summary>The images a dev cluster runs out of the box: the operator's runtime image as the built model-runtime.</summary>
public static class DefaultImages
{
    /// <summary>The operator's default runtime image (operator/Reconcile/OperatorSettings.DefaultRuntimeImage).</summary>
    public const string RuntimeImage = "ghcr.io/modeloperator/model-runtime:0.1.0";

    /// <summary>The runtime image mapped to <c>runtime/bin/Release/net10.0/model-runtime</c> of the repository this runs from.</summary>
    public static Dictionary<string, string[]> Create() => new() { [RuntimeImage] = [BuiltRuntime()] };

    /// <summary>The built model-runtime of the repository found above this program (or the working directory).</summary>
    public static string BuiltRuntime()
    {
        var root = FindRepositoryRoot(AppContext.BaseDirectory) ?? FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();
        return Path.Combine(root, "runtime", "bin", "Release", "net10.0", "model-runtime");
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelOperator.sln"))) return dir.FullName;
        return null;
    }
}
