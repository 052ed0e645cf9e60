using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Builds the HTTP client and <see cref="OciRegistryClient"/> the CLI and the model sources use.</summary>
internal static class RegistryConnection
{
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = true,
    })
    {
        // Blob transfers of large models take as long as they take; connecting is what must be bounded.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static OciRegistryClient Connect(HttpClient http, ImageReference reference, bool plainHttp, ILogger logger,
        DockerCredentials? credentials = null) =>
        OciRegistryClient.Create(http, reference, new RegistryClientOptions(PlainHttp: plainHttp), credentials ?? DockerCredentials.Load(), logger);
}
