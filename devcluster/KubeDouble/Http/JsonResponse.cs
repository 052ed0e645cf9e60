using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Writes JSON answers.</summary>
internal static class JsonResponse
{
    public static async Task WriteAsync(HttpContext http, int status, JsonNode body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        JsonText.Write(http.Response.BodyWriter, body);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }
}
