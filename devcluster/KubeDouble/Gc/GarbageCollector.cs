using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Semantics;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Gc;

/// <summary>
/// Owner-reference garbage collection: dependents whose owners are all gone are deleted; owners being deleted in
/// the foreground lose their finalizer once their dependents are gone; orphaning owners release their dependents.
/// One sweep runs with the store's lock held, looks only at objects with owners or being deleted, and reports
/// whether it changed anything.
/// </summary>
internal sealed class GarbageCollector(ObjectStore store, ObjectWriter writer, ObjectDeleter deleter)
{
    public bool Sweep()
    {
        var changed = false;
        foreach (var (key, obj) in store.WithOwners())
        {
            if (ObjectMeta.IsDeleting(obj) || TypeOf(key) is not { } type) continue;
            var owners = ObjectMeta.OwnerReferences(obj).Select(r => store.ReadByUid(r["uid"]?.ToString() ?? "")).ToList();
            if (owners.All(o => o is null))
            {
                deleter.Delete(type, obj, null, dryRun: false);
                changed = true;
            }
            else if (owners.Any(o => o is not null && ObjectMeta.IsDeleting(o) && ObjectMeta.Finalizers(o).Contains(ObjectDeleter.ForegroundFinalizer)))
            {
                deleter.Delete(type, obj, new JsonObject { ["propagationPolicy"] = "Foreground" }, dryRun: false);
                changed = true;
            }
        }
        foreach (var (key, owner) in store.Deleting())
        {
            var finalizers = ObjectMeta.Finalizers(owner);
            var orphaning = finalizers.Contains(ObjectDeleter.OrphanFinalizer);
            var foreground = finalizers.Contains(ObjectDeleter.ForegroundFinalizer);
            if ((!orphaning && !foreground) || TypeOf(key) is not { } type) continue;
            var uid = ObjectMeta.Uid(owner);
            var dependents = store.WithOwners().Where(e => ObjectMeta.OwnerReferences(e.Object).Any(r => r["uid"]?.ToString() == uid)).ToList();
            if (orphaning)
            {
                foreach (var (depKey, dependent) in dependents)
                {
                    if (TypeOf(depKey) is not { } depType) continue;
                    var released = (JsonObject)dependent.DeepClone();
                    var refs = ObjectMeta.OwnerReferences(released).Where(r => r["uid"]?.ToString() != uid).Select(r => (JsonNode)r.DeepClone()).ToList();
                    if (refs.Count == 0) ObjectMeta.Of(released).Remove("ownerReferences");
                    else ObjectMeta.Of(released)["ownerReferences"] = new JsonArray([.. refs]);
                    writer.Update(depType, dependent, released, "garbage-collector", null, dryRun: false);
                }
                RemoveFinalizer(type, owner, ObjectDeleter.OrphanFinalizer);
                changed = true;
            }
            else if (dependents.Count == 0)
            {
                RemoveFinalizer(type, owner, ObjectDeleter.ForegroundFinalizer);
                changed = true;
            }
        }
        return changed;
    }

    private void RemoveFinalizer(ResourceType type, JsonObject obj, string finalizer)
    {
        var current = store.Read(type, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj));
        if (current is null) return;
        var updated = (JsonObject)current.DeepClone();
        ObjectMeta.SetFinalizers(updated, ObjectMeta.Finalizers(updated).Where(f => f != finalizer));
        writer.Update(type, current, updated, "garbage-collector", null, dryRun: false);
    }

    private ResourceType? TypeOf(string storageKey)
    {
        var slash = storageKey.IndexOf('/');
        return store.Registry.FindAnyVersion(storageKey[..slash], storageKey[(slash + 1)..]);
    }
}
