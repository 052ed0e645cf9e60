using System.Globalization;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.ScaleToZero;

/// <summary>
/// The activator's word to the operator that a model at zero has a request waiting: the annotation
/// <see cref="Annotation"/> on the ModelDeployment, holding the moment (UTC, millisecond precision) of the first
/// request held. An annotation, not a status field or a call to the operator, so it survives an operator restart and
/// reaches whichever replica leads through the watch it already has; the write itself wakes the reconcile.
/// </summary>
public static class Demand
{
    /// <summary>The annotation the activator writes.</summary>
    public const string Annotation = "serving.modeloperator.io/demand";

    /// <summary>How the annotation's value is written.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The annotation's value for <paramref name="at"/>.</summary>
    public static string Value(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>When the activator last reported demand; null when never or unreadable.</summary>
    public static DateTimeOffset? At(ModelDeployment md) =>
        md.Metadata?.Annotations?.TryGetValue(Annotation, out var text) == true
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    /// <summary>
    /// The demand that came after the model last scaled (to zero): the request that wakes it, or woke it. Null when the
    /// model does not scale to zero or no request came since its last scale.
    /// </summary>
    public static DateTimeOffset? SinceLastScale(ModelDeployment md)
    {
        if (md.Spec.Autoscaling?.ScaleToZero is null || At(md) is not { } at) return null;
        return md.Status?.LastScaleTime is { } scaled && at < new DateTimeOffset(DateTime.SpecifyKind(scaled, DateTimeKind.Utc)) ? null : at;
    }
}
