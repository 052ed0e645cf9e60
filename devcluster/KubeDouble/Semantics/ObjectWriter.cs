using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Patching;
using ModelOperator.KubeDouble.Storage;
using ModelOperator.KubeDouble.Validation;

namespace ModelOperator.KubeDouble.Semantics;

/// <summary>
/// The API server's write rules for create and update: identity and immutable metadata, status subresource
/// separation, generation, finalizers on deleting objects, validation, managedFields and no-op detection.
/// Every method runs with the store's lock held.
/// </summary>
internal sealed class ObjectWriter(ObjectStore store, ObjectValidator validator, CrdRegistration crds, Action changed)
{
    public JsonObject Create(ResourceType type, string? ns, JsonObject body, string manager, bool dryRun, bool managedFieldsSet = false)
    {
        if (type.IsEventsV1) (type, body) = (CoreEvents, EventConversion.ToCore(body));
        var obj = (JsonObject)body.DeepClone();
        CheckKind(type, obj);
        var meta = ObjectMeta.Of(obj);
        if (type.Namespaced)
        {
            var bodyNs = ObjectMeta.Namespace(obj);
            if (bodyNs.Length > 0 && ns is not null && bodyNs != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            meta["namespace"] = ns ?? bodyNs;
            if (ObjectMeta.Namespace(obj).Length == 0) throw ApiException.BadRequest("the server could not find the requested resource: a namespace is required");
            RequireLiveNamespace(ObjectMeta.Namespace(obj));
        }
        else meta.Remove("namespace");
        if (ObjectMeta.Name(obj).Length == 0)
        {
            var prefix = ObjectMeta.Str(obj, "generateName");
            if (string.IsNullOrEmpty(prefix))
                throw ApiException.Invalid(type.Kind, type.Group, "", [FieldCause.Required("metadata.name") with { Message = "Required value: name or generateName is required" }]);
            meta["name"] = NameRules.Generate(prefix);
        }
        var name = ObjectMeta.Name(obj);
        if (store.Read(type, ObjectMeta.Namespace(obj), name) is not null) throw ApiException.AlreadyExists(type.GroupResource, name);

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = ObjectMeta.Now();
        meta["generation"] = 1;
        foreach (var field in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" }) meta.Remove(field);
        if (!managedFieldsSet) meta.Remove("managedFields");
        if (type.HasStatus) obj.Remove("status");
        InitialStatus(type, obj);
        validator.DefaultAndValidate(type, obj, null);
        if (type.Plural == "customresourcedefinitions") crds.PrepareForStore(obj, creating: true);
        if (!managedFieldsSet) ManagedFieldsTracker.RecordUpdate(type, null, obj, manager, null);
        if (dryRun) return obj;
        var stored = store.Put(type, obj);
        if (type.Plural == "customresourcedefinitions") crds.Register(stored);
        changed();
        return stored;
    }

    /// <summary>Replaces an object (PUT, or the result of a patch) under the rules of the main resource or a subresource.</summary>
    public JsonObject Update(ResourceType type, JsonObject old, JsonObject proposed, string manager, string? subresource, bool dryRun,
        bool managedFieldsSet = false)
    {
        if (type.IsEventsV1) (type, proposed) = (CoreEvents, EventConversion.ToCore(proposed));
        var obj = (JsonObject)proposed.DeepClone();
        CheckKind(type, obj);
        var name = ObjectMeta.Name(old);
        var proposedName = ObjectMeta.Name(obj);
        if (proposedName.Length > 0 && proposedName != name)
            throw ApiException.BadRequest($"the name of the object ({proposedName}) does not match the name on the URL ({name})");
        var proposedNs = ObjectMeta.Namespace(obj);
        if (type.Namespaced && proposedNs.Length > 0 && proposedNs != ObjectMeta.Namespace(old))
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        var rv = ObjectMeta.Str(obj, "resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != ObjectMeta.Str(old, "resourceVersion"))
            throw ApiException.Conflict(type.GroupResource, name, "the object has been modified; please apply your changes to the latest version and try again");
        var uid = ObjectMeta.Str(obj, "uid");
        if (!string.IsNullOrEmpty(uid) && uid != ObjectMeta.Uid(old))
            throw ApiException.Conflict(type.GroupResource, name, $"Precondition failed: UID in precondition: {ObjectMeta.Uid(old)}, UID in object meta: {uid}");

        var managed = ObjectMeta.Of(obj)["managedFields"]?.DeepClone();
        if (subresource == "status")
        {
            var status = obj["status"]?.DeepClone();
            obj = (JsonObject)old.DeepClone();
            if (status is null) obj.Remove("status"); else obj["status"] = status;
        }
        else if (type.HasStatus)
        {
            if (old["status"] is { } oldStatus) obj["status"] = oldStatus.DeepClone(); else obj.Remove("status");
        }
        var meta = ObjectMeta.Of(obj);
        var oldMeta = ObjectMeta.Of(old);
        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion" })
        {
            if (oldMeta[field] is { } value) meta[field] = value.DeepClone(); else meta.Remove(field);
        }
        meta.Remove("selfLink");
        if (managedFieldsSet && managed is not null) meta["managedFields"] = managed; else if (oldMeta["managedFields"] is { } m) meta["managedFields"] = m.DeepClone(); else meta.Remove("managedFields");
        if (ObjectMeta.IsDeleting(old))
        {
            var added = ObjectMeta.Finalizers(obj).Except(ObjectMeta.Finalizers(old)).ToList();
            if (added.Count > 0)
                throw ApiException.Invalid(type.Kind, type.Group, name,
                    [FieldCause.Forbidden("metadata.finalizers", "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers " + string.Join(", ", added.Select(f => $"\"{f}\"")))]);
        }
        InitialStatus(type, obj);
        validator.DefaultAndValidate(type, obj, old);
        if (SpecChanged(type, old, obj)) meta["generation"] = (JsonNumber.Long(oldMeta["generation"]) ?? 0) + 1;
        if (!managedFieldsSet) ManagedFieldsTracker.RecordUpdate(type, old, obj, manager, subresource);
        if (type.Plural == "customresourcedefinitions") crds.PrepareForStore(obj, creating: false);

        if (Same(old, obj)) return (JsonObject)old.DeepClone();
        if (dryRun) return obj;
        var stored = store.Put(type, obj);
        if (type.Plural == "customresourcedefinitions" && !ObjectMeta.IsDeleting(stored)) crds.Register(stored);
        // An object whose last finalizer went is removed; a pod in its grace period stays until its kubelet deletes it
        // with gracePeriodSeconds=0, however often the kubelet writes its status meanwhile.
        if (ObjectMeta.IsDeleting(stored) && ObjectMeta.Finalizers(stored).Count == 0 && !InGracePeriod(stored)) Remove(type, stored);
        changed();
        return stored;
    }

    private ResourceType CoreEvents => store.Registry.Find("", "v1", "events")!;

    /// <summary>Removes an object from the store for good, with what that entails for CRDs.</summary>
    public JsonObject? Remove(ResourceType type, JsonObject obj)
    {
        var removed = store.Remove(type.StorageKey, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj));
        if (type.Plural == "customresourcedefinitions")
        {
            crds.Unregister(ObjectMeta.Name(obj));
            store.History.EndAll($"{obj["spec"]?["group"]}/{obj["spec"]?["names"]?["plural"]}");
        }
        changed();
        return removed;
    }

    private void RequireLiveNamespace(string ns)
    {
        var nsType = store.Registry.Find("", "v1", "namespaces")!;
        var namespaceObject = store.Read(nsType, "", ns) ?? throw ApiException.NotFound("namespaces", ns);
        if (ObjectMeta.IsDeleting(namespaceObject))
            throw new ApiException(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
    }

    private static void CheckKind(ResourceType type, JsonObject obj)
    {
        var kind = obj["kind"]?.ToString();
        var apiVersion = obj["apiVersion"]?.ToString();
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion}) or kind {kind} is not {type.Kind}");
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion.Split('/')[0] != type.ApiVersion.Split('/')[0] && (type.Group.Length > 0 || apiVersion.Contains('/')))
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        obj["kind"] = type.Kind;
        obj["apiVersion"] = type.ApiVersion;
    }

    private static void InitialStatus(ResourceType type, JsonObject obj)
    {
        if (type.Plural == "namespaces")
        {
            obj["status"] = new JsonObject { ["phase"] = ObjectMeta.IsDeleting(obj) ? "Terminating" : "Active" };
            obj["spec"] ??= new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        }
        else if (type.Plural == "pods" && obj["status"] is null) obj["status"] = new JsonObject { ["phase"] = "Pending" };
    }

    /// <summary>Whether a change reaches beyond metadata (and status, where status is a subresource).</summary>
    private static bool SpecChanged(ResourceType type, JsonObject old, JsonObject updated)
    {
        var ignored = new HashSet<string> { "metadata", "apiVersion", "kind" };
        if (type.HasStatus || !type.IsCustom) ignored.Add("status");
        var keys = old.Select(kv => kv.Key).Union(updated.Select(kv => kv.Key)).Where(k => !ignored.Contains(k));
        return keys.Any(k => !JsonNode.DeepEquals(old[k], updated[k]));
    }

    private static bool InGracePeriod(JsonObject obj) => (JsonNumber.Long(ObjectMeta.Of(obj)["deletionGracePeriodSeconds"]) ?? 0) > 0;

    private static bool Same(JsonObject old, JsonObject updated) =>
        EqualExcept(old, updated, "metadata") && EqualExcept(MetaOrEmpty(old), MetaOrEmpty(updated), "managedFields", "resourceVersion")
        && FieldsOnly(old) == FieldsOnly(updated);

    private static JsonObject MetaOrEmpty(JsonObject o) => o["metadata"] as JsonObject ?? [];

    /// <summary>Deep equality of two objects' members, leaving out the named ones (compared without copying either).</summary>
    private static bool EqualExcept(JsonObject a, JsonObject b, params string[] skipped)
    {
        var counted = 0;
        foreach (var (key, value) in a)
        {
            if (Array.IndexOf(skipped, key) >= 0) continue;
            if (!b.TryGetPropertyValue(key, out var other) || !JsonNode.DeepEquals(value, other)) return false;
            counted++;
        }
        foreach (var (key, _) in b) if (Array.IndexOf(skipped, key) < 0) counted--;
        return counted == 0;
    }

    /// <summary>managedFields without timestamps: a write that only changes ownership is still a write.</summary>
    private static string FieldsOnly(JsonObject o) =>
        string.Join("|", ManagedFieldsEntry.ReadAll(o).Select(e => $"{e.Manager}/{e.Operation}/{e.Subresource}:{string.Join(",", e.Fields.Order(StringComparer.Ordinal))}"));
}
