using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Reads request bodies as JSON (or YAML for apply patches), with a clear 400 for anything else.</summary>
internal static class BodyReader
{
    public static async Task<JsonNode?> ReadAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var contentType = http.Request.ContentType ?? "";
        if (contentType.Contains("protobuf"))
            return Protobuf.KubeProtobufDecoder.TryDecode(buffer.ToArray())
                ?? throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {contentType}; the double decodes protobuf only for Namespace, ConfigMap, Secret and DeleteOptions)");
        var text = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (string.IsNullOrWhiteSpace(text)) return null;
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
