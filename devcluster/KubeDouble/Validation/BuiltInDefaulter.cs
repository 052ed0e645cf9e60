using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>
/// The defaults the API server writes into built-in objects (apps/v1 Deployment and ReplicaSet, Pod, Service, a
/// Secret's stringData merged into data), so
/// a client comparing its desired object with the live one meets the same extra fields it would on a cluster.
/// </summary>
internal static class BuiltInDefaulter
{
    public static void Apply(ResourceType type, JsonObject obj, JsonObject? old, ServiceIPAllocator ips)
    {
        switch (type.Kind)
        {
            case "Deployment" when type.Group == "apps":
                var spec = Map(obj, "spec");
                spec["replicas"] ??= 1;
                spec["revisionHistoryLimit"] ??= 10;
                spec["progressDeadlineSeconds"] ??= 600;
                var strategy = Map(spec, "strategy");
                strategy["type"] ??= "RollingUpdate";
                if (strategy["type"]?.ToString() == "RollingUpdate")
                {
                    var rolling = Map(strategy, "rollingUpdate");
                    rolling["maxUnavailable"] ??= "25%";
                    rolling["maxSurge"] ??= "25%";
                }
                PodSpec(Map(Map(spec, "template"), "spec"));
                break;
            case "ReplicaSet" when type.Group == "apps":
                Map(obj, "spec")["replicas"] ??= 1;
                PodSpec(Map(Map(Map(obj, "spec"), "template"), "spec"));
                break;
            case "Secret" when type.Group.Length == 0 && obj["stringData"] is JsonObject stringData:
                // stringData is write-only: the API server merges it into data (base64), its keys winning, and drops it.
                var data = Map(obj, "data");
                foreach (var (key, value) in stringData)
                    data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
                obj.Remove("stringData");
                break;
            case "Pod" when type.Group.Length == 0:
                var podSpec = Map(obj, "spec");
                PodSpec(podSpec);
                podSpec["enableServiceLinks"] ??= true;
                break;
            case "Service" when type.Group.Length == 0:
                Service(Map(obj, "spec"), old?["spec"] as JsonObject, ips);
                break;
        }
    }

    private static void PodSpec(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        foreach (var list in new[] { "containers", "initContainers" })
            foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>()) Container(container);
    }

    private static void Container(JsonObject container)
    {
        container["terminationMessagePath"] ??= "/dev/termination-log";
        container["terminationMessagePolicy"] ??= "File";
        container["resources"] ??= new JsonObject();
        var image = container["image"]?.ToString() ?? "";
        var tagged = image.Contains('@') || (image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest"));
        container["imagePullPolicy"] ??= tagged ? "IfNotPresent" : "Always";
        foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>()) port["protocol"] ??= "TCP";
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (container[probe] is not JsonObject p) continue;
            p["timeoutSeconds"] ??= 1;
            p["periodSeconds"] ??= 10;
            p["successThreshold"] ??= 1;
            p["failureThreshold"] ??= 3;
            if (p["httpGet"] is JsonObject http) http["scheme"] ??= "HTTP";
        }
    }

    private static void Service(JsonObject spec, JsonObject? oldSpec, ServiceIPAllocator ips)
    {
        // An update that leaves the allocated IPs out keeps them, as the API server's service storage does.
        if (string.IsNullOrEmpty(spec["clusterIP"]?.ToString()) && oldSpec?["clusterIP"] is { } allocated)
        {
            spec["clusterIP"] = allocated.DeepClone();
            spec["clusterIPs"] ??= oldSpec["clusterIPs"]?.DeepClone();
        }
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        spec["internalTrafficPolicy"] ??= "Cluster";
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
        }
        if (spec["type"]?.ToString() == "ExternalName") return;
        if (string.IsNullOrEmpty(spec["clusterIP"]?.ToString())) spec["clusterIP"] = ips.Next();
        spec["clusterIPs"] ??= new JsonArray(spec["clusterIP"]!.ToString());
        spec["ipFamilies"] ??= new JsonArray("IPv4");
        spec["ipFamilyPolicy"] ??= "SingleStack";
    }

    private static JsonObject Map(JsonObject parent, string field) =>
        parent[field] as JsonObject ?? (JsonObject)(parent[field] = new JsonObject());
}
