using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelOperator.Runtime.Tests.Infrastructure;

/// <summary>Builds OIP v2 requests the way a client would and reads the responses back (JSON, or JSON plus binary section).</summary>
internal static class OipJson
{
    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A request using Triton's binary tensor extension: the JSON header, then the binary section.</summary>
    public static ByteArrayContent Binary(object header, params byte[][] sections)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        var body = json.Concat(sections.SelectMany(s => s)).ToArray();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString());
        return content;
    }

    /// <summary>The response's JSON, and each binary output's bytes by name (empty when the response is all JSON).</summary>
    public static async Task<(JsonObject Json, Dictionary<string, byte[]> Binary)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        var headerLength = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values)
            ? int.Parse(values.Single()) : body.Length;
        var json = JsonNode.Parse(body.AsSpan(0, headerLength))!.AsObject();
        var binary = new Dictionary<string, byte[]>();
        var offset = headerLength;
        foreach (var output in json["outputs"]?.AsArray() ?? [])
        {
            var size = output!["parameters"]?["binary_data_size"]?.GetValue<int>();
            if (size is null) continue;
            binary[output["name"]!.GetValue<string>()] = body.AsSpan(offset, size.Value).ToArray();
            offset += size.Value;
        }
        return (json, binary);
    }

    public static JsonObject Output(JsonObject response, string name) =>
        response["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == name)!.AsObject();

    public static float[] Floats(JsonObject output) => output["data"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
}
