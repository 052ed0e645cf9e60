using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Serialises answers as the API server does: quotes escaped as \" and no HTML-safe \u003c escaping.</summary>
internal static class JsonText
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(JsonNode node) => node.ToJsonString(Options);
}
