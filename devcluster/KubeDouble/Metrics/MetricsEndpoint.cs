using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Selectors;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Metrics;

/// <summary>
/// The <c>metrics.k8s.io/v1beta1</c> API that metrics-server serves (through API aggregation) on a real cluster:
/// discovery, <c>PodMetrics</c> (all namespaces, one namespace with labelSelector, one pod) and <c>NodeMetrics</c>
/// (every node; a node's use is the sum of its pods', since the simulated nodes share one machine). Read only.
/// </summary>
internal sealed partial class MetricsEndpoint(ObjectStore store, Func<IResourceMetricsSource?> source)
{
    public const string Group = "metrics.k8s.io";
    public const string Version = "v1beta1";

    [GeneratedRegex("^/apis/metrics\\.k8s\\.io(?:/v1beta1(?:/namespaces/(?<ns>[^/]+))?(?:/(?<resource>pods|nodes)(?:/(?<name>[^/]+))?)?)?/?$")]
    private static partial Regex MetricsPath();

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path.Value ?? "";
        if (!path.StartsWith("/apis/metrics.k8s.io", StringComparison.Ordinal)) { await next(http); return; }
        var metrics = source();
        var match = MetricsPath().Match(path);
        try
        {
            if (metrics is null || !match.Success)
                throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({path})");
            if (http.Request.Method != "GET") throw new ApiException(405, "MethodNotAllowed", $"the metrics API is read only: {http.Request.Method} is not supported");
            var (ns, resource, name) = (match.Groups["ns"].Value, match.Groups["resource"].Value, match.Groups["name"].Value);
            var selector = LabelSelector.Parse(http.Request.Query["labelSelector"].ToString());
            JsonObject body = resource switch
            {
                "" when path.TrimEnd('/').EndsWith(Version, StringComparison.Ordinal) => ResourceList(),
                "" => GroupDocument(),
                "nodes" when ns.Length > 0 => throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({path})"),
                "nodes" => Pick(NodeItems(metrics, selector), "NodeMetrics", name, "nodes"),
                _ => Pick(PodItems(metrics, ns, selector), "PodMetrics", name, "pods"),
            };
            await JsonResponse.WriteAsync(http, 200, body);
        }
        catch (ApiException e)
        {
            await JsonResponse.WriteAsync(http, e.Code, e.ToStatus());
        }
    }

    /// <summary>The group as <c>/apis</c> lists it.</summary>
    public static JsonObject GroupDocument()
    {
        var version = new JsonObject { ["groupVersion"] = $"{Group}/{Version}", ["version"] = Version };
        return new JsonObject
        {
            ["kind"] = "APIGroup", ["apiVersion"] = "v1", ["name"] = Group, ["versions"] = new JsonArray(version), ["preferredVersion"] = version.DeepClone(),
        };
    }

    private static JsonObject ResourceList() => new()
    {
        ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = $"{Group}/{Version}",
        ["resources"] = new JsonArray(
            new JsonObject { ["name"] = "nodes", ["singularName"] = "", ["namespaced"] = false, ["kind"] = "NodeMetrics", ["verbs"] = new JsonArray("get", "list") },
            new JsonObject { ["name"] = "pods", ["singularName"] = "", ["namespaced"] = true, ["kind"] = "PodMetrics", ["verbs"] = new JsonArray("get", "list") }),
    };

    private static JsonObject Pick(List<(string Name, JsonObject Item)> items, string kind, string name, string resource)
    {
        if (name.Length > 0)
        {
            var item = items.FirstOrDefault(i => i.Name == name).Item ?? throw new ApiException(404, "NotFound", $"{resource}.{Group} \"{name}\" not found");
            item["kind"] = kind;
            item["apiVersion"] = $"{Group}/{Version}";
            return item;
        }
        return new JsonObject
        {
            ["kind"] = kind + "List", ["apiVersion"] = $"{Group}/{Version}", ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray([.. items.Select(i => (JsonNode)i.Item)]),
        };
    }

    private List<(string, JsonObject)> PodItems(IResourceMetricsSource metrics, string ns, LabelSelector selector)
    {
        var items = new List<(string, JsonObject)>();
        foreach (var pod in metrics.Pods().Where(p => ns.Length == 0 || p.Namespace == ns).OrderBy(p => p.Namespace).ThenBy(p => p.Name))
        {
            var stored = store.Get("", "v1", "pods", pod.Namespace, pod.Name);
            if (stored is null) continue;
            var labels = Labels(stored);
            if (!selector.Matches(labels)) continue;
            items.Add((pod.Name, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["creationTimestamp"] = Time(pod.Timestamp),
                    ["labels"] = new JsonObject([.. labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]),
                },
                ["timestamp"] = Time(pod.Timestamp), ["window"] = Window(pod.Window),
                ["containers"] = new JsonArray([.. pod.Containers.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["usage"] = Usage(c.CpuNanoCores, c.MemoryBytes) })]),
            }));
        }
        return items;
    }

    private List<(string, JsonObject)> NodeItems(IResourceMetricsSource metrics, LabelSelector selector)
    {
        var pods = metrics.Pods();
        var items = new List<(string, JsonObject)>();
        var nodes = store.List("", "v1", "nodes");
        foreach (var node in nodes.OrderBy(n => ObjectMeta.Name(n), StringComparer.Ordinal))
        {
            var name = ObjectMeta.Name(node);
            var labels = Labels(node);
            if (!selector.Matches(labels)) continue;
            var on = pods.Where(p => p.Node == name).ToList();
            var at = on.Count > 0 ? on.Max(p => p.Timestamp) : DateTime.UtcNow;
            items.Add((name, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = name, ["creationTimestamp"] = Time(at),
                    ["labels"] = new JsonObject([.. labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]),
                },
                ["timestamp"] = Time(at), ["window"] = Window(on.Count > 0 ? on.Max(p => p.Window) : TimeSpan.FromSeconds(10)),
                ["usage"] = Usage(on.Sum(p => p.Containers.Sum(c => c.CpuNanoCores)), on.Sum(p => p.Containers.Sum(c => c.MemoryBytes))),
            }));
        }
        return items;
    }

    private static Dictionary<string, string> Labels(JsonObject obj) =>
        (obj["metadata"]?["labels"] as JsonObject ?? []).ToDictionary(l => l.Key, l => l.Value?.ToString() ?? "");

    private static JsonObject Usage(long nanoCores, long bytes) => new()
    {
        ["cpu"] = $"{nanoCores.ToString(CultureInfo.InvariantCulture)}n", ["memory"] = $"{(bytes / 1024).ToString(CultureInfo.InvariantCulture)}Ki",
    };

    private static string Time(DateTime at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Window(TimeSpan window) => $"{Math.Max(1, (long)Math.Round(window.TotalSeconds)).ToString(CultureInfo.InvariantCulture)}s";
}
