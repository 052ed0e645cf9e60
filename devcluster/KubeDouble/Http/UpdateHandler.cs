using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Http;

/// <summary>PUT: replace an object, its status or its scale; 409 on a stale resourceVersion, 404 when absent.</summary>
internal sealed class UpdateHandler(ApiContext api)
{
    public async Task HandleAsync(ApiRequest request)
    {
        var body = await BodyReader.ReadObjectAsync(request.Http);
        JsonObject? result = null, written = null;
        using (await api.Writes.TakeAsync())
        lock (api.Store.Sync)
        {
            var live = api.Store.Read(request.Type, request.Namespace ?? "", request.Name!)
                ?? throw ApiException.NotFound(request.Type.GroupResource, request.Name!);
            // Custom resources do not allow unconditional updates: a PUT must say which version it replaces.
            if (request.Type.IsCustom && request.Subresource != "scale" && string.IsNullOrEmpty(body["metadata"]?["resourceVersion"]?.ToString()))
                throw ApiException.Invalid(request.Type.Kind, request.Type.Group, request.Name!,
                    [FieldCause.Invalid("metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
            if (request.Subresource == "scale")
            {
                var updated = api.Writer.Update(request.Type, live, ScaleView.Into(request.Type, live, body), request.ManagerForUpdate, null, request.DryRun);
                result = ScaleView.From(request.Type, updated);
            }
            else written = api.Writer.Update(request.Type, live, body, request.ManagerForUpdate, request.Subresource, request.DryRun);
        }
        // The writer hands back its own copy, so the view is made without holding the store's lock.
        if (written is not null) result = ObjectView.At(request.Type, written);
        await JsonResponse.WriteAsync(request.Http, 200, result!);
    }
}
