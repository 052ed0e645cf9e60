using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using k8s;
using k8s.Models;

namespace ModelOperator.Operator.Runtime;

/// <summary>Raw requests through KubernetesClient's configured HttpClient (auth, TLS), for list/watch with full control.</summary>
internal sealed class KubeHttp(Kubernetes client)
{
    public async Task<HttpResponseMessage> GetAsync(string pathAndQuery, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ErrorAsync(response, what, ct).ConfigureAwait(false);
    }

    /// <summary>Deletes an object; true when it existed. The answer (object or Status) is not needed, so it is not parsed.</summary>
    public async Task<bool> DeleteAsync(string path, string? propagationPolicy, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(client.BaseUri, path));
        if (propagationPolicy is not null)
            request.Content = JsonContent.Create(new { kind = "DeleteOptions", apiVersion = "v1", propagationPolicy });
        using var response = await client.HttpClient.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"delete {path}", ct).ConfigureAwait(false);
        return true;
    }

    public static async Task<KubeApiException> ErrorAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        V1Status? status = null;
        try { status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)); }
        catch (System.Text.Json.JsonException) { } // not every proxy answers with a Status body
        return new KubeApiException(response.StatusCode, status, what);
    }

    public static bool IsGone(Exception e) =>
        e is KubeApiException { Code: HttpStatusCode.Gone } || e is k8s.Autorest.HttpOperationException { Response.StatusCode: HttpStatusCode.Gone };
}
