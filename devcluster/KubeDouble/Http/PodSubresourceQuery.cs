using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>What the pod subresources that stream (log, exec, portforward) read first, checked as the API server checks it.</summary>
internal static class PodSubresourceQuery
{
    /// <summary>The stored pod, or 404 naming it.</summary>
    public static JsonObject Pod(ObjectStore store, string ns, string name) =>
        store.Get("", "v1", "pods", ns, name) ?? throw new ApiException(404, "NotFound", $"pods \"{name}\" not found");

    /// <summary>The <c>container</c> query parameter, or the pod's only container; 400 naming the choices otherwise.</summary>
    public static string Container(JsonObject pod, IQueryCollection query, string name)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.ToString() ?? "").ToList();
        var container = query["container"].ToString();
        if (container.Length == 0)
        {
            if (containers.Count != 1)
                throw new ApiException(400, "BadRequest", $"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', containers)}]");
            return containers[0];
        }
        if (!containers.Contains(container))
            throw new ApiException(400, "BadRequest", $"container {container} is not valid for pod {name}");
        return container;
    }

    /// <summary>A boolean query parameter as the API server reads it.</summary>
    public static bool IsTrue(string? value) => value is "true" or "1";
}
