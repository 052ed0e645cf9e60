using System.Text.RegularExpressions;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// A registry reference <c>[oci://]host[:port]/repo[:tag][@sha256:…]</c>, parsed and checked against the grammar of
/// the OCI distribution spec so that an invalid name or tag fails here, before any request is sent.
/// </summary>
internal sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[a-zA-Z0-9.-]+(:[0-9]{1,5})?$")]
    private static partial Regex HostPattern();

    /// <summary>The tag, or the digest when pinned: what goes after <c>/manifests/</c>.</summary>
    public string ManifestReference => Digest ?? Tag ?? "latest";

    /// <summary>The host a request goes to; Docker Hub's API host differs from its name.</summary>
    public string ApiHost => Registry == "docker.io" ? "registry-1.docker.io" : Registry;

    public ImageReference WithDigest(string digest) => this with { Digest = digest };

    public override string ToString() =>
        $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    /// <summary>True for <c>oci://…</c> and for <c>host/repo…</c> that is not a path on disk (paths starting with '.', '/' or '~' never are references).</summary>
    public static bool LooksLikeReference(string text) =>
        text.StartsWith("oci://", StringComparison.OrdinalIgnoreCase) ||
        (!Directory.Exists(text) && !File.Exists(text) && text.Contains('/') && text[0] is not ('.' or '/' or '~'));

    public static ImageReference Parse(string text)
    {
        var rest = text.StartsWith("oci://", StringComparison.OrdinalIgnoreCase) ? text["oci://".Length..] : text;
        if (rest.Length == 0) throw new PackageException("empty image reference");
        string? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!Packaging.Digest.IsValid(digest))
                throw new PackageException($"invalid digest '{digest}' in reference '{text}': expected sha256:<64 lowercase hex digits>");
        }
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
                throw new PackageException($"invalid tag '{tag}' in reference '{text}': a tag is 1-128 of [A-Za-z0-9_.-] and does not start with '.' or '-'");
        }
        var slash = rest.IndexOf('/');
        string registry, repository;
        if (slash > 0 && (rest[..slash].Contains('.') || rest[..slash].Contains(':') || rest[..slash] == "localhost"))
        {
            registry = rest[..slash];
            repository = rest[(slash + 1)..];
        }
        else
        {
            registry = "docker.io";
            repository = slash < 0 ? "library/" + rest : rest;
        }
        if (!HostPattern().IsMatch(registry))
            throw new PackageException($"invalid registry host '{registry}' in reference '{text}'");
        if (repository.Length == 0 || repository.Length > 255 || !RepositoryPattern().IsMatch(repository))
            throw new PackageException(
                $"invalid repository name '{repository}' in reference '{text}': use lowercase letters and digits separated by '.', '_', '__', '-' or '/'");
        if (tag is null && digest is null) tag = "latest";
        return new ImageReference(registry, repository, tag, digest);
    }
}
