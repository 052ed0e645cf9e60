using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// The PromQL the operator asks a Prometheus when <c>source: prometheus</c>. It expects the runtime pods scraped with
/// the <c>namespace</c> and <c>pod</c> target labels (as the usual Kubernetes relabelling and the dev cluster's target
/// list set them) and selects a ModelDeployment's pods by name (see <see cref="PodNamePattern"/>).
/// </summary>
public static class PrometheusQueries
{
    // The API server cuts a generateName prefix to 58 characters before adding its 5-character suffix.
    private const int MaxGeneratedPrefix = 58, GeneratedSuffix = 5;
    // The longest pod-template-hash Kubernetes writes (the dev cluster's are up to 7).
    private const int MaxTemplateHash = 10;

    /// <summary>
    /// The RE2 pattern (PromQL anchors it) for the names of a ModelDeployment's pods:
    /// <c>&lt;name&gt;-&lt;10 hex revision&gt;-&lt;pod-template-hash&gt;-&lt;5 chars&gt;</c>, as a Deployment
    /// <c>&lt;name&gt;-&lt;revision&gt;</c> names them through its ReplicaSet. Exactly two segments after the revision, so
    /// ModelDeployment <c>a</c> never selects the pods of <c>a-b</c>. When the name is long enough that the API server
    /// cuts the generateName prefix (the pod name is then 63 characters and may lose the segments' dashes), a second
    /// alternative matches the 63-character names that start with <c>&lt;name&gt;-</c>.
    /// </summary>
    public static string PodNamePattern(string mdName)
    {
        var name = Regex.Escape(mdName);
        var full = $"{name}-[0-9a-f]{{10}}-[^-]+-[^-]+";
        var longestPrefix = mdName.Length + 1 + 10 + 1 + MaxTemplateHash + 1;
        if (longestPrefix <= MaxGeneratedPrefix) return full;
        var truncatedTail = MaxGeneratedPrefix + GeneratedSuffix - mdName.Length - 1;
        return $"{full}|{name}-[0-9a-z-]{{{truncatedTail}}}";
    }

    /// <summary>The series selector for a ModelDeployment's pods.</summary>
    public static string Selector(string ns, string mdName) =>
        $"namespace=\"{Escape(ns)}\",pod=~\"{Escape(PodNamePattern(mdName))}\"";

    /// <summary>The latency quantile in milliseconds over <paramref name="window"/>, across every pod of the ModelDeployment.</summary>
    public static string LatencyMs(double quantile, string ns, string mdName, TimeSpan window) =>
        $"histogram_quantile({quantile.ToString(CultureInfo.InvariantCulture)}, sum by (le) (rate(modelruntime_request_duration_seconds_bucket{{{Selector(ns, mdName)}}}[{Range(window)}]))) * 1000";

    /// <summary>The requests the ModelDeployment's pods counted over <paramref name="window"/> (0 when idle).</summary>
    public static string Requests(string ns, string mdName, TimeSpan window) =>
        $"sum(increase(modelruntime_requests_total{{{Selector(ns, mdName)}}}[{Range(window)}]))";

    private static string Range(TimeSpan window) => $"{Math.Max(1, (long)Math.Ceiling(window.TotalSeconds))}s";

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
