using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.S3;

/// <summary>
/// Where and how to reach S3: a custom <paramref name="Endpoint"/> for an S3-compatible store (MinIO, Ceph), the
/// bucket's <paramref name="Region"/>, and path-style addressing (<c>endpoint/bucket/key</c> rather than
/// <c>bucket.endpoint/key</c>), which most S3-compatible stores need. Credentials are not settings: they come from
/// the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, web identity, profile,
/// instance profile).
/// </summary>
internal sealed record S3Settings(string? Endpoint = null, string? Region = null, bool ForcePathStyle = false)
{
    /// <summary>Read when <c>--s3-endpoint</c> is absent, in this order (the AWS SDKs' own names).</summary>
    public static readonly string[] EndpointVariables = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"];

    /// <summary>Read when <c>--s3-region</c> is absent, in this order.</summary>
    public static readonly string[] RegionVariables = ["AWS_REGION", "AWS_DEFAULT_REGION"];

    /// <summary>Read when <c>--s3-force-path-style</c> is absent: true or 1 turn it on.</summary>
    public const string ForcePathStyleVariable = "MODEL_RUNTIME_S3_FORCE_PATH_STYLE";

    /// <summary>The region used with a custom endpoint when none is set (S3-compatible stores mostly ignore it).</summary>
    public const string DefaultCustomEndpointRegion = "us-east-1";

    /// <summary>The flags' values, each absent one taken from the environment.</summary>
    public static S3Settings From(string? endpoint, string? region, bool forcePathStyle, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        endpoint = NonEmpty(endpoint) ?? EndpointVariables.Select(v => NonEmpty(environment(v))).FirstOrDefault(v => v is not null);
        region = NonEmpty(region) ?? RegionVariables.Select(v => NonEmpty(environment(v))).FirstOrDefault(v => v is not null);
        forcePathStyle = forcePathStyle || NonEmpty(environment(ForcePathStyleVariable))?.ToLowerInvariant() is "true" or "1";
        var settings = new S3Settings(endpoint, region, forcePathStyle);
        settings.Validate();
        return settings;
    }

    /// <summary>The refusal of <c>--plain-http</c> with an s3:// model: the endpoint's scheme already says whether TLS is used.</summary>
    public static PackageException PlainHttpRefused() =>
        new("--plain-http applies to oci:// registries; for s3:// the endpoint's scheme (http:// or https://) says whether TLS is used");

    /// <summary>The region requests are signed for: the one set, else us-east-1 for a custom endpoint; null leaves it to the SDK's region chain.</summary>
    public string? EffectiveRegion => Region ?? (Endpoint is not null ? DefaultCustomEndpointRegion : null);

    /// <summary>How the endpoint reads in messages.</summary>
    public string Describe() => Endpoint ?? $"AWS S3{(EffectiveRegion is { } r ? $" in {r}" : "")}";

    private void Validate()
    {
        if (Endpoint is not null && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new PackageException($"the S3 endpoint '{Endpoint}' must be an http:// or https:// URL, such as https://minio.example:9000");
        if (Region is not null && !Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw new PackageException($"the S3 region '{Region}' must be a region name such as eu-west-1");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
