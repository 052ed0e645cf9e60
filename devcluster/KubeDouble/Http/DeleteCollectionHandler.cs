using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Http;

/// <summary>DELETE of a collection: every object the selectors match, each deleted as a single DELETE would.</summary>
internal sealed class DeleteCollectionHandler(ApiContext api)
{
    public async Task HandleAsync(ApiRequest request)
    {
        var filter = ListHandler.Filter(request);
        var options = await DeleteHandler.OptionsAsync(request);
        var deleted = new JsonArray();
        using (await api.Writes.TakeAsync())
        lock (api.Store.Sync)
        {
            foreach (var obj in api.Store.ReadAll(request.Type.StorageKey, request.Namespace).Where(filter.Matches).ToList())
                deleted.Add(ObjectView.At(request.Type, api.Deleter.Delete(request.Type, obj, options, request.DryRun).Object));
        }
        await JsonResponse.WriteAsync(request.Http, 200, new JsonObject
        {
            ["kind"] = request.Type.ListKind, ["apiVersion"] = request.Type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = api.Store.CurrentRevision.ToString() }, ["items"] = deleted,
        });
    }
}
