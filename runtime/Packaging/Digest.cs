using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ModelOperator.Runtime.Packaging;

/// <summary>A content digest, <c>sha256:&lt;64 hex&gt;</c>, the only algorithm a model package uses.</summary>
internal static partial class Digest
{
    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex Sha256Pattern();

    public static bool IsValid(string digest) => Sha256Pattern().IsMatch(digest);

    /// <summary>Checks a digest read from outside (a manifest, a reference) before it becomes part of a path or URL.</summary>
    public static string Validate(string digest, string what) =>
        IsValid(digest) ? digest : throw new PackageException($"{what} has an invalid digest '{digest}': expected sha256:<64 lowercase hex digits>");

    public static string Hex(string digest) => Validate(digest, "descriptor")["sha256:".Length..];

    public static string Of(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static async Task<(string Digest, long Size)> OfFileAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(file, ct);
        return ("sha256:" + Convert.ToHexStringLower(hash), file.Length);
    }

    public static string FromHash(byte[] hash) => "sha256:" + Convert.ToHexStringLower(hash);
}
