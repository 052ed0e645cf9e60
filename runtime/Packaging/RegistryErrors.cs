using System.Text.Json;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Turns a failed registry answer into a message naming the request, the status and the registry's error codes.</summary>
internal static class RegistryErrors
{
    public static async Task<PackageException> DescribeAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        string detail = "";
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (body.Length > 0)
            {
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                        detail = string.Join("; ", errors.EnumerateArray().Select(e =>
                            $"{Text(e, "code")}: {Text(e, "message")}"));
                }
                catch (JsonException)
                {
                    detail = body.Length > 200 ? body[..200] : body;
                }
            }
        }
        catch (HttpRequestException) { }
        return new PackageException($"{what}: registry answered {status}{(detail.Length > 0 ? " (" + detail.Trim() + ")" : "")}");
    }

    private static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";
}
