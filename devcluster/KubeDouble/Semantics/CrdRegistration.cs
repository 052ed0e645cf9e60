using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Semantics;

/// <summary>Turns a stored CustomResourceDefinition into served resource types and writes the status the API server reports.</summary>
internal sealed class CrdRegistration(ResourceRegistry registry)
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    /// <summary>Sets status (accepted names, Established) and the cleanup finalizer before the CRD is stored.</summary>
    public void PrepareForStore(JsonObject crd, bool creating)
    {
        var spec = (JsonObject)crd["spec"]!;
        if (creating && !ObjectMeta.Finalizers(crd).Contains(CleanupFinalizer))
            ObjectMeta.SetFinalizers(crd, [.. ObjectMeta.Finalizers(crd), CleanupFinalizer]);
        var names = (JsonObject)spec["names"]!.DeepClone();
        names["singular"] ??= names["kind"]!.ToString().ToLowerInvariant();
        names["listKind"] ??= names["kind"] + "List";
        var now = ObjectMeta.Now();
        var previous = crd["status"]?["conditions"] as JsonArray;
        string Since(string type) => previous?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == type)?["lastTransitionTime"]?.ToString() ?? now;
        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = names,
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", Since("NamesAccepted")),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", Since("Established"))),
            ["storedVersions"] = new JsonArray([.. ((JsonArray)spec["versions"]!).OfType<JsonObject>()
                .Where(v => JsonNumber.Bool(v["storage"]) == true).Select(v => (JsonNode)JsonValue.Create(v["name"]!.ToString()))]),
        };
    }

    private static JsonObject Condition(string type, string reason, string message, string since) => new()
    {
        ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = since, ["reason"] = reason, ["message"] = message,
    };

    public void Register(JsonObject crd) => registry.RegisterCrd(ObjectMeta.Name(crd), ToTypes(crd));

    public void Unregister(string crdName) => registry.UnregisterCrd(crdName);

    public static IReadOnlyList<ResourceType> ToTypes(JsonObject crd)
    {
        var spec = (JsonObject)crd["spec"]!;
        var names = (JsonObject)spec["names"]!;
        var kind = names["kind"]!.ToString();
        return [.. ((JsonArray)spec["versions"]!).OfType<JsonObject>().Where(v => JsonNumber.Bool(v["served"]) != false).Select(v =>
        {
            var scale = v["subresources"]?["scale"] as JsonObject;
            return new ResourceType
            {
                Group = spec["group"]!.ToString(), Version = v["name"]!.ToString(), Kind = kind,
                Plural = names["plural"]!.ToString(), Singular = names["singular"]?.ToString() ?? kind.ToLowerInvariant(),
                Namespaced = spec["scope"]?.ToString() != "Cluster", IsCustom = true,
                ShortNames = Strings(names["shortNames"]), Categories = Strings(names["categories"]),
                HasStatus = v["subresources"]?["status"] is not null,
                Scale = scale is null ? null : new ScalePaths(scale["specReplicasPath"]!.ToString(), scale["statusReplicasPath"]!.ToString(),
                    scale["labelSelectorPath"]?.ToString()),
                Schema = v["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject,
                PrinterColumns = v["additionalPrinterColumns"] is JsonArray columns
                    ? [.. columns.OfType<JsonObject>().Select(c => new PrinterColumn(c["name"]!.ToString(), c["type"]?.ToString() ?? "string",
                        c["jsonPath"]!.ToString(), c["description"]?.ToString() ?? "", (int)(JsonNumber.Long(c["priority"]) ?? 0), c["format"]?.ToString()))]
                    : [new PrinterColumn("Age", "date", ".metadata.creationTimestamp")],
            };
        })];
    }

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(x => x!.ToString())] : [];
}
