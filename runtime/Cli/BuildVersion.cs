using System.Reflection;

namespace ModelOperator.Cli;

/// <summary>The build's version and the commit it was built from, as <c>--version</c> prints them.</summary>
internal static class BuildVersion
{
    /// <summary>E.g. <c>1.0.0 (commit bcd107cb410d)</c>; the SDK records the commit in the informational version.</summary>
    public static string Describe(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var plus = informational.IndexOf('+');
        if (plus < 0) return $"{informational} (commit unknown)";
        var commit = informational[(plus + 1)..];
        return $"{informational[..plus]} (commit {commit[..Math.Min(12, commit.Length)]})";
    }
}
