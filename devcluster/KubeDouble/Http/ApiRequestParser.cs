using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Turns /api/v1/… and /apis/{group}/{version}/… paths into an <see cref="ApiRequest"/>.</summary>
internal sealed class ApiRequestParser(ResourceRegistry registry)
{
    /// <summary>Parses a resource path; null when the path is not a resource path at all.</summary>
    public ApiRequest? Parse(HttpContext http)
    {
        var segments = http.Request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api") (group, version, rest) = ("", segments[1], 2);
        else if (segments.Length >= 4 && segments[0] == "apis") (group, version, rest) = (segments[1], segments[2], 3);
        else return null;

        var parts = segments[rest..];
        string? ns = null;
        if (parts.Length >= 3 && parts[0] == "namespaces" && registry.Find(group, version, parts[2]) is { Namespaced: true })
        {
            ns = parts[1];
            parts = parts[2..];
        }
        var type = registry.Find(group, version, parts[0])
            ?? throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({string.Join('/', segments)})");
        if (parts.Length > 3) throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({string.Join('/', segments)})");
        var name = parts.Length > 1 ? parts[1] : null;
        var subresource = parts.Length > 2 ? parts[2] : null;
        if (subresource is not null && !IsSubresource(type, subresource))
            throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({type.GroupResource} {subresource})");
        if (type.Namespaced && ns is null && name is not null)
            throw new ApiException(404, "NotFound", $"the server could not find the requested resource: {type.GroupResource} is namespaced");
        if (!type.Namespaced && ns is not null)
            throw new ApiException(404, "NotFound", $"the server could not find the requested resource: {type.GroupResource} is not namespaced");
        return new ApiRequest(Verb(http, name), type, ns, name, subresource, http);
    }

    private static bool IsSubresource(ResourceType type, string subresource) => subresource switch
    {
        "status" => type.HasStatus,
        "scale" => type.Scale is not null,
        "finalize" => type.Plural == "namespaces",
        "binding" => type.Group.Length == 0 && type.Plural == "pods",
        _ => false,
    };

    private static string Verb(HttpContext http, string? name)
    {
        var watch = http.Request.Query["watch"].ToString() is "true" or "1";
        return http.Request.Method switch
        {
            "GET" when watch => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            var other => throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({other})"),
        };
    }
}
