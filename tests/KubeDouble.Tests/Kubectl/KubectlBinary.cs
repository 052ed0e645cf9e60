namespace ModelOperator.KubeDouble.Tests.Kubectl;

/// <summary>Finds the stock kubectl the suite drives: $KUBECTL, else .tools/bin/kubectl at the repository root (`make kubectl`).</summary>
internal static class KubectlBinary
{
    public static string Path()
    {
        var fromEnv = Environment.GetEnvironmentVariable("KUBECTL");
        if (!string.IsNullOrEmpty(fromEnv))
            return File.Exists(fromEnv) ? fromEnv : throw new FileNotFoundException($"KUBECTL is set to '{fromEnv}', which does not exist");
        var path = RepoPaths.Of(".tools", "bin", "kubectl");
        return File.Exists(path) ? path
            : throw new FileNotFoundException($"kubectl not found at {path}: run `make kubectl` (it fetches kubectl into .tools/bin) or set KUBECTL");
    }
}
