namespace ModelOperator.KubeDouble.Logging;

/// <summary>One request the double answered.</summary>
/// <param name="Verb">get, list, watch, create, update, patch, delete, deletecollection; or the HTTP method for non-resource paths.</param>
/// <param name="PatchType">The patch content type's short name (merge, json, strategic, apply) for patches.</param>
public sealed record RequestRecord(
    string Verb, string Method, string Path, string Group, string Version, string Resource, string? Subresource,
    string? Namespace, string? Name, int StatusCode, string? FieldManager, string UserAgent, DateTimeOffset Timestamp,
    string? PatchType = null, bool DryRun = false)
{
    /// <summary>True for create, update, patch, delete and deletecollection that were not dry runs.</summary>
    public bool IsWrite => !DryRun && Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    public override string ToString() =>
        $"{Verb} {(Group.Length == 0 ? "" : Group + "/")}{Resource}{(Subresource is null ? "" : "/" + Subresource)} {Namespace}/{Name} -> {StatusCode}";
}
