using System.Text.Json;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>The body of <c>POST /v2/repository/index</c>: an optional <c>{"ready": bool}</c>; anything else is a 400.</summary>
internal static class RepositoryIndexRequest
{
    public static bool ReadyOnly(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw ProtocolException.BadRequest("the repository index request must be a JSON object");
            if (!document.RootElement.TryGetProperty("ready", out var ready)) return false;
            return ready.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw ProtocolException.BadRequest("'ready' must be true or false"),
            };
        }
        catch (JsonException e)
        {
            throw ProtocolException.BadRequest($"malformed JSON: {e.Message}");
        }
    }
}
