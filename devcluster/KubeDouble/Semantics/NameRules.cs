using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ModelOperator.KubeDouble.Semantics;

/// <summary>Object name checks and <c>generateName</c> suffixes, as the API server makes them.</summary>
internal static partial class NameRules
{
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Generate(string prefix) =>
        (prefix.Length > 58 ? prefix[..58] : prefix) + new string([.. Enumerable.Range(0, 5).Select(_ => SuffixAlphabet[RandomNumberGenerator.GetInt32(SuffixAlphabet.Length)])]);

    /// <summary>Returns why a name is not a DNS-1123 subdomain, or null when it is one.</summary>
    public static string? SubdomainProblem(string name) =>
        name.Length > 253 ? "must be no more than 253 characters"
        : Subdomain().IsMatch(name) ? null
        : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    /// <summary>Returns why a name is not a DNS-1123 label (namespaces, services), or null when it is one.</summary>
    public static string? LabelProblem(string name) =>
        name.Length > 63 ? "must be no more than 63 characters"
        : Label().IsMatch(name) ? null
        : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();
}
