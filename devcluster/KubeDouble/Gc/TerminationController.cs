using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Semantics;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Gc;

/// <summary>
/// Finishes what deletion starts for containers of other objects: a terminating namespace deletes its content and
/// goes once that is gone; a deleted CRD deletes its custom resources and goes once they are gone.
/// </summary>
internal sealed class TerminationController(ObjectStore store, ObjectWriter writer, ObjectDeleter deleter)
{
    public bool Sweep()
    {
        var changed = false;
        var nsType = store.Registry.Find("", "v1", "namespaces")!;
        var deleting = store.Deleting();
        foreach (var ns in deleting.Where(d => d.StorageKey == nsType.StorageKey).Select(d => d.Object))
        {
            var name = ObjectMeta.Name(ns);
            var content = store.ReadEverything().Where(e => ObjectMeta.Namespace(e.Object) == name && e.StorageKey != nsType.StorageKey).ToList();
            foreach (var (key, obj) in content.Where(c => !ObjectMeta.IsDeleting(c.Object)))
            {
                if (TypeOf(key) is { } type) { deleter.Delete(type, obj, null, dryRun: false); changed = true; }
            }
            if (content.Count == 0)
            {
                writer.Remove(nsType, ns);
                changed = true;
            }
        }
        var crdType = store.Registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
        foreach (var crd in deleting.Where(d => d.StorageKey == crdType.StorageKey).Select(d => d.Object))
        {
            if (!ObjectMeta.Finalizers(crd).Contains(CrdRegistration.CleanupFinalizer)) continue;
            var spec = crd["spec"]!;
            var storageKey = $"{spec["group"]}/{spec["names"]!["plural"]}";
            var instances = store.ReadAll(storageKey, null).ToList();
            var type = TypeOf(storageKey);
            foreach (var instance in instances.Where(i => !ObjectMeta.IsDeleting(i)))
                if (type is not null) { deleter.Delete(type, instance, null, dryRun: false); changed = true; }
            if (instances.Count == 0)
            {
                var updated = (JsonObject)crd.DeepClone();
                ObjectMeta.SetFinalizers(updated, ObjectMeta.Finalizers(updated).Where(f => f != CrdRegistration.CleanupFinalizer));
                writer.Update(crdType, crd, updated, "apiextensions-controller", null, dryRun: false);
                changed = true;
            }
        }
        return changed;
    }

    private ResourceType? TypeOf(string storageKey)
    {
        var slash = storageKey.IndexOf('/');
        return store.Registry.FindAnyVersion(storageKey[..slash], storageKey[(slash + 1)..]);
    }
}
