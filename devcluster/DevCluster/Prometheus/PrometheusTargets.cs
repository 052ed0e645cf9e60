using k8s;
using Microsoft.Extensions.Logging;
using ModelOperator.DevCluster.Api;

namespace ModelOperator.DevCluster.Prometheus;

/// <summary>
/// Keeps <c>&lt;state&gt;/prometheus/targets.json</c> equal to <see cref="ScrapeTargets"/> of the cluster's pods, written
/// atomically (a temporary file renamed over it) so Prometheus never reads half a file. Debian's prometheus lacks
/// Kubernetes discovery; this file stands in for it.
/// </summary>
internal sealed class PrometheusTargets : IClusterComponent
{
    public string Name => "prometheus-targets";

    /// <summary>The file's path under a cluster's state directory.</summary>
    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, "prometheus", "targets.json");

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        var logger = context.Loggers.CreateLogger("DevCluster.PrometheusTargets");
        var path = PathIn(context.StateDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string? written = null;
        await LevelTriggeredLoop.RunAsync(context.Client, ["api/v1/pods"], logger, "Prometheus targets update", async ct =>
        {
            var pods = (await context.Client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items;
            var text = ScrapeTargets.From(pods).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
            if (text == written) return;
            var temporary = path + ".tmp";
            await File.WriteAllTextAsync(temporary, text, ct);
            File.Move(temporary, path, overwrite: true);
            written = text;
            logger.LogInformation("Wrote Prometheus targets {Path}", path);
        }, ct);
    }
}
