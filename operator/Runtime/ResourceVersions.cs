namespace ModelOperator.Operator.Runtime;

/// <summary>
/// Orders resourceVersions where the server makes them comparable. The API conventions call them opaque, but every
/// etcd-backed API server (and the API double) issues increasing integers; where either is not one, nothing is
/// known to be newer and the caller keeps the server's view.
/// </summary>
internal static class ResourceVersions
{
    /// <summary>True only when both parse as integers and <paramref name="candidate"/> is the later one.</summary>
    public static bool IsNewer(string? candidate, string? than) =>
        ulong.TryParse(candidate, out var a) && ulong.TryParse(than, out var b) && a > b;
}
