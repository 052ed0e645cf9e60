using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Discovery;

/// <summary>
/// OpenAPI v3, only as far as kubectl needs it: one document per group/version whose PATCH operations carry the
/// x-kubernetes-group-version-kind extension and the fieldValidation parameter, so kubectl leaves validation to
/// the server; custom resources' schemas are included. /openapi/v2 is not served (kubectl then falls back to its
/// built-in patch strategies: strategic merge for built-in kinds, merge patch for custom resources).
/// </summary>
internal static class OpenApiEndpoints
{
    public static void MapOpenApi(this WebApplication app, ResourceRegistry registry)
    {
        app.MapGet("/openapi/v3", () =>
        {
            var paths = new JsonObject();
            foreach (var (group, version) in registry.All().Select(t => (t.Group, t.Version)).Distinct())
            {
                var key = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
                paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={Hash(registry, group, version)}" };
            }
            return DiscoveryEndpoints.Json(new JsonObject { ["paths"] = paths });
        });
        app.MapGet("/openapi/v3/api/{version}", (string version) => Document(registry, "", version));
        app.MapGet("/openapi/v3/apis/{group}/{version}", (string group, string version) => Document(registry, group, version));
    }

    private static string Hash(ResourceRegistry registry, string group, string version)
    {
        var text = string.Join(";", registry.All().Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural)
            .Select(t => t.Plural + (t.Schema?.ToJsonString() ?? "")));
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static IResult Document(ResourceRegistry registry, string group, string version)
    {
        var types = registry.All().Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0) return DiscoveryEndpoints.NotFound($"/openapi/v3/{group}/{version}");
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in types)
        {
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var path = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}/{{name}}" : $"{prefix}/{type.Plural}/{{name}}";
            var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = type.Kind };
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{type.Kind}",
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = gvk,
                    ["parameters"] = new JsonArray(
                        Parameter("dryRun"), Parameter("fieldManager"), Parameter("fieldValidation"), Parameter("force")),
                    ["requestBody"] = new JsonObject
                    {
                        ["content"] = new JsonObject
                        {
                            ["application/json-patch+json"] = new JsonObject(), ["application/merge-patch+json"] = new JsonObject(),
                            ["application/apply-patch+yaml"] = new JsonObject(),
                        },
                    },
                },
            };
            var schema = (JsonObject?)type.Schema?.DeepClone() ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
            schemas[$"{(group.Length == 0 ? "io.k8s.api.core" : string.Join('.', group.Split('.').Reverse()))}.{version}.{type.Kind}"] = schema;
        }
        return DiscoveryEndpoints.Json(new JsonObject
        {
            ["openapi"] = "3.0.0", ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.34.0" },
            ["paths"] = paths, ["components"] = new JsonObject { ["schemas"] = schemas },
        });
    }

    private static JsonObject Parameter(string name) => new()
    {
        ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = name == "force" ? "boolean" : "string", ["uniqueItems"] = true },
    };
}
