using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Builds the HTTP client and <see cref="OciRegistryClient"/> the CLI and the model sources use.</summary>
internal static class RegistryConnection
{
    /// <summary>A client trusting the system's authorities and those of <paramref name="caFile"/> (or <c>MODEL_RUNTIME_CA_FILE</c>).</summary>
    public static HttpClient CreateHttpClient(string? caFile = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = true,
        };
        if (RegistryTrust.Load(caFile) is { } trust)
            handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = trust.Validate };
        // Blob transfers of large models take as long as they take; connecting is what must be bounded.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public static OciRegistryClient Connect(HttpClient http, ImageReference reference, bool plainHttp, ILogger logger,
        DockerCredentials? credentials = null) =>
        OciRegistryClient.Create(http, reference, new RegistryClientOptions(PlainHttp: plainHttp), credentials ?? DockerCredentials.Load(), logger);
}
