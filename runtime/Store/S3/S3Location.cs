using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.S3;

/// <summary>
/// An <c>s3://bucket/key</c> reference: a key ending in <c>.onnx</c> is one ONNX file; any other key is first read as a
/// prefix holding a packed OCI image layout (<c>key/index.json</c>, <c>key/oci-layout</c>, <c>key/blobs/sha256/…</c>,
/// as <c>model-runtime pack</c> writes it), then as a single ONNX object.
/// </summary>
internal sealed record S3Location(string Bucket, string Key)
{
    public const string Scheme = "s3://";

    public static bool IsS3(string reference) => reference.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>s3://bucket/key</c>; the key keeps its slashes, a trailing one marks a layout prefix.</summary>
    public static S3Location Parse(string reference)
    {
        if (!IsS3(reference)) throw new PackageException($"'{reference}' is not an s3://bucket/key reference");
        var rest = reference[Scheme.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length is < 3 or > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            throw new PackageException($"'{reference}': the bucket name '{bucket}' must be 3 to 63 lowercase letters, digits, '-' or '.'");
        if (key.Trim('/').Length == 0)
            throw new PackageException($"'{reference}' names no object: expected s3://bucket/path/model.onnx or s3://bucket/prefix of a packed layout");
        if (key.Any(char.IsWhiteSpace)) throw new PackageException($"'{reference}': the key must not contain whitespace");
        return new S3Location(bucket, key);
    }

    /// <summary>True when the key names a single ONNX file rather than a package prefix.</summary>
    public bool IsOnnxFile => Key.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>The key of a file of the layout under this prefix.</summary>
    public string LayoutKey(string relative) => Key.TrimEnd('/') + "/" + relative;

    /// <summary>The name a model from here is served under by default: the file name without .onnx, or the prefix's last part.</summary>
    public string ModelName => Path.GetFileNameWithoutExtension(Key.TrimEnd('/').Split('/')[^1]);

    public override string ToString() => $"{Scheme}{Bucket}/{Key}";
}
