using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Patching;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>PATCH: JSON patch, JSON merge patch, strategic merge patch (built-in types) and server-side apply.</summary>
internal sealed class PatchHandler(ApiContext api)
{
    public async Task HandleAsync(ApiRequest request)
    {
        var contentType = (request.Http.Request.ContentType ?? "").Split(';')[0].Trim();
        var patch = await BodyReader.ReadAsync(request.Http);
        var force = request.QueryFlag("force");
        if (force && contentType != "application/apply-patch+yaml")
            throw ApiException.BadRequest("force is not allowed for non-apply patches");
        JsonObject? result = null, written = null;
        using (await api.Writes.TakeAsync())
        lock (api.Store.Sync)
        {
            var live = api.Store.Read(request.Type, request.Namespace ?? "", request.Name!);
            if (contentType == "application/apply-patch+yaml") written = Apply(request, live, patch, force);
            else
            {
                if (live is null) throw ApiException.NotFound(request.Type.GroupResource, request.Name!);
                var target = request.Subresource == "scale" ? ScaleView.From(request.Type, live) : ObjectView.At(request.Type, live);
                var patched = contentType switch
                {
                    "application/json-patch+json" => JsonPatch.Apply(target, patch),
                    "application/merge-patch+json" => JsonMergePatch.Apply(target, patch) as JsonObject
                        ?? throw ApiException.BadRequest("a merge patch must be a JSON object"),
                    "application/strategic-merge-patch+json" when request.Type.SupportsStrategicMerge && request.Subresource != "scale" =>
                        StrategicMergePatch.Apply(request.Type, target, patch),
                    "application/strategic-merge-patch+json" => throw Unsupported(contentType, request),
                    _ => throw Unsupported(contentType, request),
                };
                if (request.Subresource == "scale")
                    result = ScaleView.From(request.Type, api.Writer.Update(request.Type, live, ScaleView.Into(request.Type, live, patched), request.ManagerForUpdate, null, request.DryRun));
                else written = api.Writer.Update(request.Type, live, patched, request.ManagerForUpdate, request.Subresource, request.DryRun);
            }
        }
        // The writer hands back its own copy, so the view is made without holding the store's lock.
        if (written is not null) result = ObjectView.At(request.Type, written);
        await JsonResponse.WriteAsync(request.Http, 200, result!);
    }

    /// <summary>Server-side apply; answers the writer's own copy of the result (not yet shown at the request's version).</summary>
    private JsonObject Apply(ApiRequest request, JsonObject? live, JsonNode? patch, bool force)
    {
        var manager = request.FieldManager;
        if (string.IsNullOrEmpty(manager)) throw ApiException.BadRequest("PATCH /apply requests require a fieldManager query parameter (fieldManager is required for apply requests)");
        if (patch is not JsonObject config) throw ApiException.BadRequest("an apply configuration must be an object");
        if (string.IsNullOrEmpty(config["apiVersion"]?.ToString()) || string.IsNullOrEmpty(config["kind"]?.ToString()))
            throw ApiException.BadRequest("apiVersion and kind must be set in an apply configuration");
        var name = ObjectMeta.Name(config);
        if (name.Length > 0 && name != request.Name)
            throw ApiException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({request.Name})");
        config = (JsonObject)config.DeepClone();
        ObjectMeta.Of(config)["name"] = request.Name;
        if (request.Namespace is not null) ObjectMeta.Of(config)["namespace"] = request.Namespace;
        if (request.Subresource == "status")
        {
            foreach (var key in config.Select(kv => kv.Key).Where(k => k is not ("status" or "metadata" or "apiVersion" or "kind")).ToList()) config.Remove(key);
            var meta = ObjectMeta.Of(config);
            foreach (var key in meta.Select(kv => kv.Key).Where(k => k is not ("name" or "namespace")).ToList()) meta.Remove(key);
        }
        else if (request.Type.HasStatus) config.Remove("status");
        if (live is null)
        {
            if (request.Subresource is not null) throw ApiException.NotFound(request.Type.GroupResource, request.Name!);
            var fresh = ServerSideApply.Apply(request.Type, null, config, manager, force, null);
            return api.Writer.Create(request.Type, request.Namespace, fresh, manager, request.DryRun, managedFieldsSet: true);
        }
        var merged = ServerSideApply.Apply(request.Type, live, config, manager, force, request.Subresource);
        if (ObjectMeta.Str(config, "resourceVersion") is null) ObjectMeta.Of(merged)["resourceVersion"] = ObjectMeta.Str(live, "resourceVersion");
        return api.Writer.Update(request.Type, live, merged, manager, request.Subresource, request.DryRun, managedFieldsSet: true);
    }

    private static ApiException Unsupported(string contentType, ApiRequest request) => new(415, "UnsupportedMediaType",
        $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml{(request.Type.SupportsStrategicMerge ? ", application/strategic-merge-patch+json" : "")} (got \"{contentType}\")");
}
