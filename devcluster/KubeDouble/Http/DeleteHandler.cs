using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>DELETE of one object, honouring DeleteOptions from the body or the query.</summary>
internal sealed class DeleteHandler(ApiContext api)
{
    public static async Task<JsonObject> OptionsAsync(ApiRequest request)
    {
        var options = await BodyReader.ReadAsync(request.Http) as JsonObject ?? new JsonObject();
        if (request.Query("propagationPolicy") is { Length: > 0 } policy) options["propagationPolicy"] = policy;
        if (request.Query("orphanDependents") is { Length: > 0 } orphan) options["orphanDependents"] = orphan == "true";
        if (long.TryParse(request.Query("gracePeriodSeconds"), out var grace)) options["gracePeriodSeconds"] = grace;
        return options;
    }

    public async Task HandleAsync(ApiRequest request)
    {
        var options = await OptionsAsync(request);
        JsonObject body;
        using (await api.Writes.TakeAsync())
        lock (api.Store.Sync)
        {
            var live = api.Store.Read(request.Type, request.Namespace ?? "", request.Name!)
                ?? throw ApiException.NotFound(request.Type.GroupResource, request.Name!);
            var (obj, gone) = api.Deleter.Delete(request.Type, live, options, request.DryRun || options["dryRun"] is JsonArray { Count: > 0 });
            body = gone && !request.Type.ReturnsDeletedObject ? Deleted(request.Type, obj) : ObjectView.At(request.Type, obj);
        }
        await JsonResponse.WriteAsync(request.Http, 200, body);
    }

    /// <summary>What the API server answers for a built-in object deleted at once: a Success Status naming it.</summary>
    private static JsonObject Deleted(ResourceType type, JsonObject obj)
    {
        var details = new JsonObject { ["name"] = ObjectMeta.Name(obj) };
        if (type.Group.Length > 0) details["group"] = type.Group;
        details["kind"] = type.Plural;
        details["uid"] = ObjectMeta.Uid(obj);
        return StatusBody.Success(details);
    }
}
