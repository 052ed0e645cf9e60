namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The images a dev cluster runs out of the box: the operator's runtime image as the built model-runtime, and the
/// chart's operator and activator images as the built model-operator and model-activator (so that <c>helm install</c>
/// of charts/model-operator runs them).
/// </summary>
public static class DefaultImages
{
    /// <summary>The operator's default runtime image (operator/Reconcile/OperatorSettings.DefaultRuntimeImage).</summary>
    public const string RuntimeImage = "ghcr.io/modeloperator/model-runtime:0.1.0";

    /// <summary>The chart's operator image: charts/model-operator values.yaml <c>image.repository</c> with the chart's appVersion.</summary>
    public const string OperatorImage = "ghcr.io/modeloperator/model-operator:0.1.0";

    /// <summary>The chart's activator image: charts/model-operator values.yaml <c>activator.image.repository</c> with the chart's appVersion.</summary>
    public const string ActivatorImage = "ghcr.io/modeloperator/model-activator:0.1.0";

    /// <summary>
    /// The runtime image mapped to <c>runtime/bin/Release/net10.0/model-runtime</c> and the operator image to
    /// <c>operator/bin/Release/net10.0/model-operator</c> of the repository this runs from. The operator image's
    /// entrypoint is <c>dotnet /app/model-operator.dll</c>; the built apphost stands for both words.
    /// </summary>
    public static Dictionary<string, string[]> Create() => new()
    {
        [RuntimeImage] = [BuiltRuntime()],
        [OperatorImage] = [BuiltOperator()],
        [ActivatorImage] = [BuiltActivator()],
    };

    /// <summary>The built model-activator of the repository found above this program (or the working directory).</summary>
    public static string BuiltActivator() => Path.Combine(RepositoryRoot(), "activator", "bin", "Release", "net10.0", "model-activator");

    /// <summary>The built model-runtime of the repository found above this program (or the working directory).</summary>
    public static string BuiltRuntime() => Path.Combine(RepositoryRoot(), "runtime", "bin", "Release", "net10.0", "model-runtime");

    /// <summary>The built model-operator of the repository found above this program (or the working directory).</summary>
    public static string BuiltOperator() => Path.Combine(RepositoryRoot(), "operator", "bin", "Release", "net10.0", "model-operator");

    /// <summary>The repository found above this program, else above the working directory, else the working directory.</summary>
    public static string RepositoryRoot() =>
        FindRepositoryRoot(AppContext.BaseDirectory) ?? FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();

    private static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelOperator.sln"))) return dir.FullName;
        return null;
    }
}
