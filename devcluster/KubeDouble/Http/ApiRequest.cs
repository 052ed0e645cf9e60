using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>A resource request, parsed from its path, method and query as the API server's request info does.</summary>
internal sealed record ApiRequest(string Verb, ResourceType Type, string? Namespace, string? Name, string? Subresource, HttpContext Http)
{
    public string Query(string key) => Http.Request.Query[key].ToString();
    public bool QueryFlag(string key) => Query(key) is "true" or "1";
    public bool DryRun => Http.Request.Query["dryRun"].Count > 0;
    public string? FieldManager => Http.Request.Query["fieldManager"].Count > 0 ? Query("fieldManager") : null;

    /// <summary>The manager name recorded for a non-apply write: the fieldManager, else the user agent's program name.</summary>
    public string ManagerForUpdate => FieldManager ?? DefaultManager(Http.Request.Headers.UserAgent.ToString());

    private static string DefaultManager(string userAgent)
    {
        var program = userAgent.Split('/', 2)[0];
        return program.Length == 0 ? "unknown" : program;
    }
}
