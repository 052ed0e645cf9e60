using System.Text;
using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Selectors;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>LIST with label and field selectors, limit and continue.</summary>
internal sealed class ListHandler(ApiContext api)
{
    public static ObjectFilter Filter(ApiRequest request) => new(request.Namespace,
        LabelSelector.Parse(request.Query("labelSelector")), FieldSelector.Parse(FieldsInStorage(request)));

    /// <summary>events.k8s.io selectors name fields of its shape; objects are stored in the core shape.</summary>
    private static string FieldsInStorage(ApiRequest request) => !request.Type.IsEventsV1 ? request.Query("fieldSelector")
        : string.Join(",", request.Query("fieldSelector").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(clause => Semantics.EventConversion.CoreFieldName(clause.Trim())));

    public async Task HandleAsync(ApiRequest request)
    {
        var filter = Filter(request);
        List<JsonObject> items;
        long revision;
        lock (api.Store.Sync)
        {
            items = [.. api.Store.ReadAll(request.Type.StorageKey, request.Namespace).Where(filter.Matches).Select(o => ObjectView.At(request.Type, o))];
            revision = api.Store.Revision;
        }
        var offset = 0;
        if (request.Query("continue") is { Length: > 0 } token)
        {
            var parts = Decode(token);
            (offset, revision) = (parts.Offset, parts.Revision);
        }
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString() };
        var page = items.Skip(offset).ToList();
        if (int.TryParse(request.Query("limit"), out var limit) && limit > 0 && page.Count > limit)
        {
            metadata["continue"] = Encode(offset + limit, revision);
            metadata["remainingItemCount"] = page.Count - limit;
            page = page[..limit];
        }
        if (api.Tables.Wanted(request.Http))
        {
            var table = api.Tables.ToTable(request.Type, page, revision.ToString(), request.Http);
            foreach (var (k, v) in metadata) table["metadata"]![k] = v?.DeepClone();
            await JsonResponse.WriteAsync(request.Http, 200, table);
            return;
        }
        await JsonResponse.WriteAsync(request.Http, 200, new JsonObject
        {
            ["kind"] = request.Type.ListKind, ["apiVersion"] = request.Type.ApiVersion, ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page]),
        });
    }

    private static string Encode(int offset, long revision) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset}:{revision}"));

    private static (int Offset, long Revision) Decode(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            return (int.Parse(parts[0]), long.Parse(parts[1]));
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {token}");
        }
    }
}
