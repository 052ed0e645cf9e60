namespace ModelOperator.DevCluster.Prometheus;

/// <summary>The prometheus.yml the dev cluster gives Debian's Prometheus: pods from the file-discovery target list.</summary>
public static class PrometheusConfig
{
    public static string Render(string targetsFile) => $"""
        # Written by the dev cluster. Pods come from {Path.GetFileName(targetsFile)} (file_sd_configs), which the dev
        # cluster keeps equal to the ready pods' http/metrics ports; Debian's Prometheus has no Kubernetes discovery.
        global:
          scrape_interval: 5s
          evaluation_interval: 5s
        scrape_configs:
          - job_name: devcluster-pods
            metrics_path: /metrics
            file_sd_configs:
              - files: ['{targetsFile}']
                refresh_interval: 5s
            relabel_configs:
              - source_labels: [pod]
                target_label: instance

        """;
}
