using System.Globalization;

namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// The PromQL the operator asks a Prometheus when <c>source: prometheus</c>. It expects the runtime pods scraped with
/// the <c>namespace</c> and <c>pod</c> target labels (as the usual Kubernetes relabelling and the dev cluster's target
/// list set them); a ModelDeployment's pods are named <c>&lt;name&gt;-&lt;revision&gt;-&lt;replicaset hash&gt;-&lt;suffix&gt;</c>,
/// so an anchored regex with exactly three segments after the name selects its pods and no other ModelDeployment's.
/// </summary>
public static class PrometheusQueries
{
    /// <summary>The series selector for a ModelDeployment's pods.</summary>
    public static string Selector(string ns, string mdName) =>
        $"namespace=\"{Escape(ns)}\",pod=~\"{Escape(System.Text.RegularExpressions.Regex.Escape(mdName))}-[^-]+-[^-]+-[^-]+\"";

    /// <summary>The latency quantile in milliseconds over <paramref name="window"/>, across every pod of the ModelDeployment.</summary>
    public static string LatencyMs(double quantile, string ns, string mdName, TimeSpan window) =>
        $"histogram_quantile({quantile.ToString(CultureInfo.InvariantCulture)}, sum by (le) (rate(modelruntime_request_duration_seconds_bucket{{{Selector(ns, mdName)}}}[{Range(window)}]))) * 1000";

    /// <summary>The requests the ModelDeployment's pods counted over <paramref name="window"/> (0 when idle).</summary>
    public static string Requests(string ns, string mdName, TimeSpan window) =>
        $"sum(increase(modelruntime_requests_total{{{Selector(ns, mdName)}}}[{Range(window)}]))";

    private static string Range(TimeSpan window) => $"{Math.Max(1, (long)Math.Ceiling(window.TotalSeconds))}s";

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
