using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Discovery;

/// <summary>Legacy discovery: /version, /api, /apis, /api/v1 and /apis/{group}/{version}, fed by the resource registry.</summary>
internal static class DiscoveryEndpoints
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <param name="servedElsewhere">Groups served outside the registry (metrics.k8s.io while metrics are served), as their APIGroup documents.</param>
    public static void MapDiscovery(this WebApplication app, ResourceRegistry registry, Func<IReadOnlyList<JsonObject>>? servedElsewhere = null)
    {
        app.MapGet("/version", () => Json(new JsonObject
        {
            ["major"] = "1", ["minor"] = "34", ["gitVersion"] = "v1.34.0-kubedouble", ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean", ["buildDate"] = "2026-01-01T00:00:00Z", ["goVersion"] = "go1.24", ["compiler"] = "gc", ["platform"] = "linux/amd64",
        }));
        foreach (var probe in new[] { "/healthz", "/livez", "/readyz" }) app.MapGet(probe, () => Results.Text("ok"));
        app.MapGet("/api", () => Json(new JsonObject
        {
            ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1" }),
        }));
        app.MapGet("/api/v1", () => Json(ResourceList(registry, "", "v1")));
        app.MapGet("/apis", () => Json(new JsonObject
        {
            ["kind"] = "APIGroupList", ["apiVersion"] = "v1",
            ["groups"] = new JsonArray([.. registry.Groups().Select(g => (JsonNode)Group(g.Group, g.Versions)),
                .. (servedElsewhere?.Invoke() ?? []).Select(g => (JsonNode)Elsewhere(g))]),
        }));
        app.MapGet("/apis/{group}", (string group) =>
            registry.Groups().FirstOrDefault(g => g.Group == group) is { Group: not null } found
                ? Json(Group(found.Group, found.Versions).Also(o => { o["kind"] = "APIGroup"; o["apiVersion"] = "v1"; }))
                : NotFound($"/apis/{group}"));
        app.MapGet("/apis/{group}/{version}", (string group, string version) =>
            registry.All().Any(t => t.Group == group && t.Version == version)
                ? Json(ResourceList(registry, group, version))
                : NotFound($"/apis/{group}/{version}"));
    }

    private static JsonObject Elsewhere(JsonObject group)
    {
        var copy = (JsonObject)group.DeepClone();
        copy.Remove("kind");
        copy.Remove("apiVersion");
        return copy;
    }

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        var list = versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v }).ToList();
        return new JsonObject
        {
            ["name"] = name, ["versions"] = new JsonArray([.. list]), ["preferredVersion"] = list[0].DeepClone(),
        };
    }

    private static JsonObject ResourceList(ResourceRegistry registry, string group, string version)
    {
        var resources = new JsonArray();
        foreach (var type in registry.All().Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            var main = new JsonObject
            {
                ["name"] = type.Plural, ["singularName"] = type.Singular, ["namespaced"] = type.Namespaced, ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. AllVerbs.Select(v => (JsonNode)JsonValue.Create(v))]),
            };
            if (type.ShortNames.Count > 0) main["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)JsonValue.Create(s))]);
            if (type.Categories.Count > 0) main["categories"] = new JsonArray([.. type.Categories.Select(s => (JsonNode)JsonValue.Create(s))]);
            resources.Add(main);
            if (type.HasStatus) resources.Add(Sub(type, "status", type.Kind));
            if (type.Scale is not null) resources.Add(Sub(type, "scale", "Scale", "autoscaling", "v1"));
            if (type.Group.Length == 0 && type.Plural == "pods")
                resources.Add(Sub(type, "binding", "Binding").Also(b => b["verbs"] = new JsonArray("create")));
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Sub(ResourceType type, string sub, string kind, string? group = null, string? version = null)
    {
        var o = new JsonObject
        {
            ["name"] = $"{type.Plural}/{sub}", ["singularName"] = "", ["namespaced"] = type.Namespaced, ["kind"] = kind,
            ["verbs"] = new JsonArray("get", "patch", "update"),
        };
        if (group is not null) { o["group"] = group; o["version"] = version; }
        return o;
    }

    private static T Also<T>(this T value, Action<T> change) { change(value); return value; }

    public static IResult Json(JsonNode body) => Results.Text(JsonText.Of(body), "application/json");

    public static IResult NotFound(string path) => Results.Text(
        StatusBody.Failure(404, "NotFound", $"the server could not find the requested resource ({path})").ToJsonString(), "application/json", statusCode: 404);
}
