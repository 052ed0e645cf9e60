using System.Text.RegularExpressions;

namespace ModelOperator.KubeDouble.Storage;

/// <summary>Orders Kubernetes API versions as the API server prefers them: GA before beta before alpha, higher first.</summary>
internal sealed partial class KubeVersionComparer : IComparer<string>
{
    public static readonly KubeVersionComparer Instance = new();

    public int Compare(string? x, string? y) => Rank(x ?? "").CompareTo(Rank(y ?? "")) switch
    {
        0 => string.CompareOrdinal(x, y),
        var c => c,
    };

    private static (int, int, int) Rank(string version)
    {
        var match = VersionPattern().Match(version);
        if (!match.Success) return (3, 0, 0);
        var major = int.Parse(match.Groups[1].Value);
        var stage = match.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value) : 0;
        return (stage, -major, -minor);
    }

    [GeneratedRegex(@"^v(\d+)(?:(alpha|beta)(\d+))?$")]
    private static partial Regex VersionPattern();
}
