using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Reads request bodies as JSON (or YAML for apply patches), with a clear 400 for anything else.</summary>
internal static class BodyReader
{
    public static async Task<JsonNode?> ReadAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync(http.RequestAborted);
        if (string.IsNullOrWhiteSpace(text)) return null;
        var contentType = http.Request.ContentType ?? "";
        if (contentType.Contains("protobuf"))
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {contentType})");
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException) when (contentType.Contains("yaml"))
        {
            try { return YamlJson.Parse(text); }
            catch (Exception e) { throw ApiException.BadRequest($"error decoding YAML: {e.Message}"); }
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpContext http) =>
        await ReadAsync(http) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
}
