namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// Where a stable pod mirrors to and how much: the shadow revision's base address (its Service) for REST copies and,
/// optionally, its gRPC address for gRPC copies (without one, gRPC requests are not mirrored), the share of answered
/// requests copied, and how long one copy may take. Set at run time on the management port (<see cref="ShadowEndpoints"/>).
/// </summary>
internal sealed record ShadowTarget(Uri Url, double Fraction, TimeSpan Timeout, Uri? GrpcUrl = null)
{
    /// <summary>The per-copy timeout when the request names none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Checks a requested target; returns the error that names the bad field, or null when it is valid.</summary>
    public static string? Validate(string? url, string? grpcUrl, double? fraction, double? timeoutSeconds, out ShadowTarget? target)
    {
        target = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"url must be an absolute http(s) address of the shadow revision's Service, got '{url}'";
        Uri? grpc = null;
        if (grpcUrl is not null && (!Uri.TryCreate(grpcUrl, UriKind.Absolute, out grpc) || grpc.Scheme is not ("http" or "https")))
            return $"grpcUrl must be an absolute http(s) address of the shadow revision's gRPC port, got '{grpcUrl}'";
        if (fraction is not { } f || double.IsNaN(f) || f < 0 || f > 1)
            return $"fraction must be a number from 0 to 1, got {fraction?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
        var timeout = timeoutSeconds is { } t ? (double.IsFinite(t) && t > 0 && t <= 60 ? TimeSpan.FromSeconds(t) : (TimeSpan?)null) : DefaultTimeout;
        if (timeout is null) return $"timeoutSeconds must be above 0 and at most 60, got {timeoutSeconds}";
        target = new ShadowTarget(new Uri(uri.GetLeftPart(UriPartial.Authority)), f, timeout.Value, grpc is null ? null : new Uri(grpc.GetLeftPart(UriPartial.Authority)));
        return null;
    }
}
