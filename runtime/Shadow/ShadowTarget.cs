namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// Where a stable pod mirrors to and how much: the shadow revision's base address (its Service), the share of answered
/// requests copied to it, and how long one copy may take. Set at run time on the management port (<see cref="ShadowEndpoints"/>).
/// </summary>
internal sealed record ShadowTarget(Uri Url, double Fraction, TimeSpan Timeout)
{
    /// <summary>The per-copy timeout when the request names none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Checks a requested target; returns the error that names the bad field, or null when it is valid.</summary>
    public static string? Validate(string? url, double? fraction, double? timeoutSeconds, out ShadowTarget? target)
    {
        target = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"url must be an absolute http(s) address of the shadow revision's Service, got '{url}'";
        if (fraction is not { } f || double.IsNaN(f) || f < 0 || f > 1)
            return $"fraction must be a number from 0 to 1, got {fraction?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
        var timeout = timeoutSeconds is { } t ? (double.IsFinite(t) && t > 0 && t <= 60 ? TimeSpan.FromSeconds(t) : (TimeSpan?)null) : DefaultTimeout;
        if (timeout is null) return $"timeoutSeconds must be above 0 and at most 60, got {timeoutSeconds}";
        target = new ShadowTarget(new Uri(uri.GetLeftPart(UriPartial.Authority)), f, timeout.Value);
        return null;
    }
}
