using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Semantics;

/// <summary>
/// Deletion as the API server does it: preconditions, propagation policy (Orphan and Foreground become finalizers),
/// deletionTimestamp while finalizers remain, removal once they are gone. Runs with the store's lock held.
/// </summary>
internal sealed class ObjectDeleter(ObjectStore store, ObjectWriter writer, Action changed)
{
    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>Deletes or starts deleting an object; returns the object as the response shows it and whether it is gone.</summary>
    public (JsonObject Object, bool Gone) Delete(ResourceType type, JsonObject current, JsonObject? options, bool dryRun)
    {
        var name = ObjectMeta.Name(current);
        var preconditions = options?["preconditions"] as JsonObject;
        if (preconditions?["uid"]?.ToString() is { Length: > 0 } uid && uid != ObjectMeta.Uid(current))
            throw ApiException.Conflict(type.GroupResource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Uid(current)}");
        if (preconditions?["resourceVersion"]?.ToString() is { Length: > 0 } rv && rv != ObjectMeta.Str(current, "resourceVersion"))
            throw ApiException.Conflict(type.GroupResource, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {ObjectMeta.Str(current, "resourceVersion")}");

        var obj = (JsonObject)current.DeepClone();
        var finalizers = ObjectMeta.Finalizers(obj);
        switch (Policy(type, options))
        {
            case "Orphan" when !finalizers.Contains(OrphanFinalizer):
                finalizers.Remove(ForegroundFinalizer);
                finalizers.Add(OrphanFinalizer);
                break;
            case "Foreground" when !finalizers.Contains(ForegroundFinalizer):
                finalizers.Remove(OrphanFinalizer);
                finalizers.Add(ForegroundFinalizer);
                break;
        }
        if (type.Plural == "namespaces") return StartNamespaceTermination(type, obj, dryRun);
        if (GracePeriod(type, obj, options) is { } grace)
            return ObjectMeta.IsDeleting(obj) ? (obj, false) : StartGracefulDeletion(type, obj, finalizers, grace, dryRun);
        if (finalizers.Count == 0)
        {
            if (dryRun) return (obj, true);
            return (writer.Remove(type, obj) ?? obj, true);
        }
        ObjectMeta.SetFinalizers(obj, finalizers);
        if (!ObjectMeta.IsDeleting(obj))
        {
            ObjectMeta.Of(obj)["deletionTimestamp"] = ObjectMeta.Now();
            ObjectMeta.Of(obj)["deletionGracePeriodSeconds"] = 0;
        }
        if (dryRun || JsonNode.DeepEquals(obj, current)) return (obj, false);
        var stored = store.Put(type, obj);
        changed();
        return (stored, false);
    }

    /// <summary>
    /// A pod bound to a node is deleted gracefully, as the real server does: it gets a deletionTimestamp and grace
    /// period and stays until its kubelet (the dev cluster's) deletes it again with gracePeriodSeconds=0.
    /// Unbound pods and everything else go at once.
    /// </summary>
    private static long? GracePeriod(ResourceType type, JsonObject obj, JsonObject? options)
    {
        if (type.Plural != "pods" || string.IsNullOrEmpty(obj["spec"]?["nodeName"]?.ToString())) return null;
        var grace = JsonNumber.Long(options?["gracePeriodSeconds"]) ?? JsonNumber.Long(obj["spec"]?["terminationGracePeriodSeconds"]) ?? 30;
        return grace > 0 ? grace : null;
    }

    private (JsonObject, bool) StartGracefulDeletion(ResourceType type, JsonObject pod, List<string> finalizers, long grace, bool dryRun)
    {
        ObjectMeta.SetFinalizers(pod, finalizers);
        ObjectMeta.Of(pod)["deletionTimestamp"] = DateTime.UtcNow.AddSeconds(grace).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        ObjectMeta.Of(pod)["deletionGracePeriodSeconds"] = grace;
        if (dryRun) return (pod, false);
        var stored = store.Put(type, pod);
        changed();
        return (stored, false);
    }

    private (JsonObject, bool) StartNamespaceTermination(ResourceType type, JsonObject ns, bool dryRun)
    {
        if (!ObjectMeta.IsDeleting(ns))
        {
            ObjectMeta.Of(ns)["deletionTimestamp"] = ObjectMeta.Now();
            ObjectMeta.Of(ns)["deletionGracePeriodSeconds"] = 0;
            ns["status"] = new JsonObject { ["phase"] = "Terminating" };
            if (dryRun) return (ns, false);
            ns = store.Put(type, ns);
            changed();
        }
        return (ns, false);
    }

    private static string Policy(ResourceType type, JsonObject? options)
    {
        if (options?["propagationPolicy"]?.ToString() is { Length: > 0 } policy)
            return policy is "Orphan" or "Foreground" or "Background" ? policy
                : throw ApiException.Invalid("DeleteOptions", "", "", [FieldCause.Invalid("propagationPolicy", $"Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"")]);
        if (options?["orphanDependents"] is JsonValue v && v.TryGetValue<bool>(out var orphan)) return orphan ? "Orphan" : "Background";
        return "Background";
    }
}
