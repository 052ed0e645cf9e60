using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>GET of one object, its status or its scale.</summary>
internal sealed class GetHandler(ApiContext api)
{
    public async Task HandleAsync(ApiRequest request)
    {
        System.Text.Json.Nodes.JsonObject obj;
        lock (api.Store.Sync)
            obj = ObjectView.At(request.Type, api.Store.Read(request.Type, request.Namespace ?? "", request.Name!)
                ?? throw ApiException.NotFound(request.Type.GroupResource, request.Name!));
        if (request.Subresource == "scale") { await JsonResponse.WriteAsync(request.Http, 200, ScaleView.From(request.Type, obj)); return; }
        if (api.Tables.Wanted(request.Http)) { await JsonResponse.WriteAsync(request.Http, 200, api.Tables.ToTable(request.Type, [obj], ObjectMeta.Str(obj, "resourceVersion"), request.Http)); return; }
        await JsonResponse.WriteAsync(request.Http, 200, obj);
    }
}
