using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Answers a registry's <c>401</c> challenge the way the distribution spec describes: anonymous first, then
/// <c>Basic</c> with the stored credential, or a <c>Bearer</c> token fetched from the challenge's realm
/// (with the credential, or anonymously when there is none).
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, string registry, RegistryCredential? credential, string credentialSource)
{
    private AuthenticationHeaderValue? _header;

    public void Apply(HttpRequestMessage request)
    {
        if (_header is not null) request.Headers.Authorization = _header;
    }

    /// <summary>Sets up credentials for the challenge in <paramref name="response"/>; false when they were already tried.</summary>
    public async Task<bool> AnswerChallengeAsync(HttpResponseMessage response, string scope, bool alreadyRetried, CancellationToken ct)
    {
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault()
            ?? throw new PackageException($"registry {registry} answered 401 Unauthorized without a WWW-Authenticate challenge");
        if (alreadyRetried)
            throw new PackageException(credential is null
                ? $"registry {registry} refused anonymous access (401 Unauthorized); log in with 'docker login {registry}' (credentials are read from {credentialSource})"
                : $"registry {registry} rejected the credentials of user '{credential.Username}' from {credentialSource} (401 Unauthorized)");
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (credential is null)
                throw new PackageException(
                    $"registry {registry} requires authentication (Basic) and {credentialSource} holds no credentials for it; run 'docker login {registry}'");
            _header = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
            return true;
        }
        if (challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            _header = new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(ParseParameters(challenge.Parameter ?? ""), scope, ct));
            return true;
        }
        throw new PackageException($"registry {registry} asks for unsupported authentication scheme '{challenge.Scheme}'");
    }

    private async Task<string> FetchTokenAsync(Dictionary<string, string> parameters, string scope, CancellationToken ct)
    {
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
            throw new PackageException($"registry {registry} sent a Bearer challenge without a valid realm");
        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service)) query.Add("service=" + Uri.EscapeDataString(service));
        query.Add("scope=" + Uri.EscapeDataString(parameters.GetValueOrDefault("scope") ?? scope));
        var builder = new UriBuilder(realmUri) { Query = string.Join('&', query) };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credential is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
        HttpResponseMessage response;
        try { response = await http.SendAsync(request, ct); }
        catch (HttpRequestException e) { throw new PackageException($"cannot reach the token service {realmUri.GetLeftPart(UriPartial.Path)} of {registry}: {e.Message}", e); }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new PackageException(credential is null
                    ? $"the token service of {registry} refused anonymous access ({(int)response.StatusCode}); run 'docker login {registry}'"
                    : $"the token service of {registry} rejected the credentials of user '{credential.Username}' from {credentialSource} ({(int)response.StatusCode})");
            if (!response.IsSuccessStatusCode)
                throw new PackageException($"the token service of {registry} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            try
            {
                using var doc = JsonDocument.Parse(body);
                foreach (var name in new[] { "token", "access_token" })
                    if (doc.RootElement.TryGetProperty(name, out var token) && token.GetString() is { Length: > 0 } value)
                        return value;
            }
            catch (JsonException) { }
            throw new PackageException($"the token service of {registry} answered without a token");
        }
    }

    /// <summary>Parses <c>realm="…",service="…",scope="…"</c>; values may contain commas inside quotes.</summary>
    internal static Dictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || text[i] == ' ')) i++;
            var eq = text.IndexOf('=', i);
            if (eq < 0) break;
            var key = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0) end = text.Length;
                value = text[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf(',', i);
                if (end < 0) end = text.Length;
                value = text[i..end].Trim();
                i = end;
            }
            result[key] = value;
        }
        return result;
    }
}
