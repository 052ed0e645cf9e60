using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using ModelOperator.DevCluster.Controllers;

namespace ModelOperator.DevCluster.Prometheus;

/// <summary>
/// Prometheus file service discovery (<c>file_sd_configs</c>) for the dev cluster, free of I/O: one target group per
/// ready pod's container port named <c>http</c> or <c>metrics</c>, labelled namespace, pod, node and the pod's own
/// labels (names sanitised to Prometheus's <c>[a-zA-Z_][a-zA-Z0-9_]*</c>).
/// </summary>
public static class ScrapeTargets
{
    public static readonly string[] PortNames = ["http", "metrics"];

    public static JsonArray From(IEnumerable<V1Pod> pods)
    {
        var groups = new JsonArray();
        foreach (var pod in pods.Where(p => PodState.IsActive(p) && PodState.IsReady(p) && !string.IsNullOrEmpty(p.Status?.PodIP))
                     .OrderBy(p => p.Namespace(), StringComparer.Ordinal).ThenBy(p => p.Name(), StringComparer.Ordinal))
        {
            foreach (var port in (pod.Spec?.Containers ?? []).SelectMany(c => c.Ports ?? []).Where(p => PortNames.Contains(p.Name)))
            {
                var labels = new JsonObject();
                foreach (var (key, value) in (pod.Metadata.Labels ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    var name = LabelName(key);
                    if (name is "namespace" or "pod" or "node" or "container" or "port_name" || name.StartsWith("__")) continue;
                    labels[name] = value;
                }
                labels["namespace"] = pod.Namespace();
                labels["pod"] = pod.Name();
                labels["node"] = pod.Spec?.NodeName ?? "";
                labels["port_name"] = port.Name;
                groups.Add(new JsonObject { ["targets"] = new JsonArray($"{pod.Status.PodIP}:{port.ContainerPort}"), ["labels"] = labels });
            }
        }
        return groups;
    }

    /// <summary>A Kubernetes label key as a Prometheus label name: other characters become '_', a leading digit gets one.</summary>
    public static string LabelName(string key)
    {
        var builder = new StringBuilder(key.Length + 1);
        foreach (var c in key) builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }
}
