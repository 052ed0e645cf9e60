using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>
/// POST pods/{name}/binding: assigns a pending pod to a node as the API server does for kube-scheduler. It sets
/// spec.nodeName and the PodScheduled=True condition in one write; a pod already bound answers 409 Conflict.
/// </summary>
internal sealed class BindingHandler(ApiContext api)
{
    public async Task HandleAsync(ApiRequest request)
    {
        var body = await BodyReader.ReadObjectAsync(request.Http);
        var node = body["target"]?["name"]?.ToString();
        if (string.IsNullOrEmpty(node))
            throw ApiException.Invalid("Binding", "", request.Name!, [FieldCause.Required("target.name")]);
        using (await api.Writes.TakeAsync())
        lock (api.Store.Sync)
        {
            var live = api.Store.Read(request.Type, request.Namespace!, request.Name!) ?? throw ApiException.NotFound("pods", request.Name!);
            if (body["metadata"]?["uid"]?.ToString() is { Length: > 0 } uid && uid != ObjectMeta.Uid(live))
                throw ApiException.Conflict("pods", request.Name!, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Uid(live)}");
            if (live["spec"]?["nodeName"]?.ToString() is { Length: > 0 } bound)
                throw ApiException.Conflict("pods/binding", request.Name!, $"pod {request.Name} is already assigned to node \"{bound}\"");
            if (ObjectMeta.Of(live)["deletionTimestamp"] is not null)
                throw ApiException.Conflict("pods/binding", request.Name!, $"pod {request.Name} is being deleted, cannot be assigned to a host");
            var pod = (JsonObject)live.DeepClone();
            ((JsonObject)pod["spec"]!)["nodeName"] = node;
            var spec = api.Writer.Update(request.Type, live, pod, request.ManagerForUpdate, null, request.DryRun);
            var status = (JsonObject)spec.DeepClone();
            var conditions = (status["status"] as JsonObject ?? (JsonObject)(status["status"] = new JsonObject()))["conditions"] as JsonArray;
            if (conditions is null) ((JsonObject)status["status"]!)["conditions"] = conditions = [];
            var scheduled = conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == "PodScheduled");
            if (scheduled is not null) conditions.Remove(scheduled);
            conditions.Add(new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = ObjectMeta.Now() });
            if (!request.DryRun) api.Writer.Update(request.Type, spec, status, request.ManagerForUpdate, "status", dryRun: false);
        }
        await JsonResponse.WriteAsync(request.Http, 201, StatusBody.Success());
    }
}
