using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>
/// A registry token service as the distribution spec's token auth describes (what Docker Hub and Harbor run): it checks
/// Basic credentials, then issues an ES256 JWT carrying the granted scope, signed by a key whose certificate the real
/// registry trusts through its <c>rootcertbundle</c>.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string Service = "packaging-tests-registry";
    public const string Issuer = "packaging-tests-token-issuer";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly string _user, _password;
    private LoopbackServer? _server;
    private int _issued;

    public string Host => _server!.Host;
    public string CertificatePem => _certificate.ExportCertificatePem();
    public int Issued => _issued;

    private TokenServer(string user, string password)
    {
        (_user, _password) = (user, password);
        var request = new CertificateRequest("CN=" + Issuer, _key, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public static async Task<TokenServer> StartAsync(string user, string password)
    {
        var server = new TokenServer(user, password);
        server._server = await LoopbackServer.StartAsync(server.HandleAsync);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var subject = "";
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..])).Split(':', 2);
            if (pair[0] != _user || pair[1] != _password)
            {
                context.Response.StatusCode = 401;
                return;
            }
            subject = _user;
        }
        // Anonymous callers get a token with no access, as Docker Hub gives for a private repository.
        var access = subject.Length == 0 ? [] : Access(context.Request.Query["scope"].ToString());
        Interlocked.Increment(ref _issued);
        await context.Response.WriteAsJsonAsync(new { token = Jwt(subject, access), expires_in = 300 });
    }

    private static object[] Access(string scope)
    {
        var parts = scope.Split(':');
        return parts.Length == 3 ? [new { type = parts[0], name = parts[1], actions = parts[2].Split(',') }] : [];
    }

    private string Jwt(string subject, object[] access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new { typ = "JWT", alg = "ES256", x5c = new[] { Convert.ToBase64String(_certificate.RawData) } };
        var claims = new { iss = Issuer, sub = subject, aud = Service, exp = now + 300, nbf = now - 10, iat = now, jti = Guid.NewGuid().ToString("N"), access };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }
}
