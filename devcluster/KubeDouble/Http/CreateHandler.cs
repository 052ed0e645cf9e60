namespace ModelOperator.KubeDouble.Http;

/// <summary>POST: create an object (with generateName), answering 201 Created.</summary>
internal sealed class CreateHandler(ApiContext api)
{
    public async Task HandleAsync(ApiRequest request)
    {
        if (request.Name is not null)
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({request.Type.GroupResource} {request.Name})");
        var body = await BodyReader.ReadObjectAsync(request.Http);
        System.Text.Json.Nodes.JsonObject created;
        using (await api.Writes.TakeAsync())
        lock (api.Store.Sync) created = api.Writer.Create(request.Type, request.Namespace, body, request.ManagerForUpdate, request.DryRun);
        await JsonResponse.WriteAsync(request.Http, 201, ObjectView.At(request.Type, created));
    }
}
