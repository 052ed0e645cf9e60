using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace ModelOperator.DevCluster.Networking;

/// <summary>
/// One Service port on its cluster IP: every request goes to the next ready endpoint in turn (round robin), through
/// YARP's forwarder. Endpoints are swapped atomically, so a pod leaving rotation gets no new request while the ones
/// it is serving finish; with no ready endpoint a request gets 503 at once. Endpoints come from every EndpointSlice of
/// the Service, whoever manages it, as kube-proxy merges them (the operator adds one routing to the activator).
/// </summary>
internal sealed class ServiceListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _config;
    private string[] _backends = [];
    private int _next = -1;

    private ServiceListener(WebApplication app, HttpMessageInvoker client, ForwarderRequestConfig config, ProxyRoute route)
    {
        _app = app;
        _client = client;
        _config = config;
        Route = route;
    }

    /// <summary>The route as last updated.</summary>
    public ProxyRoute Route { get; private set; }

    public static async Task<ServiceListener> StartAsync(ProxyRoute route, ILoggerFactory loggers, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddHttpForwarder();
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Parse(route.ClusterIP), route.Port, l => l.Protocols = route.Http2 ? HttpProtocols.Http2 : HttpProtocols.Http1);
        });
        var app = builder.Build();
        var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = true,
        });
        var config = new ForwarderRequestConfig
        {
            ActivityTimeout = TimeSpan.FromMinutes(10),
            Version = route.Http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var listener = new ServiceListener(app, client, config, route);
        listener.Update(route);
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        app.Run(http => listener.ForwardAsync(http, forwarder));
        await app.StartAsync(ct);
        return listener;
    }

    /// <summary>Swaps in the route's current ready endpoints.</summary>
    public void Update(ProxyRoute route)
    {
        Route = route;
        Volatile.Write(ref _backends, [.. route.Backends]);
    }

    private async Task ForwardAsync(HttpContext http, IHttpForwarder forwarder)
    {
        var backends = Volatile.Read(ref _backends);
        if (backends.Length == 0)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync($"{{\"error\":\"service {Route.Service} port {Route.Port} has no ready endpoints\"}}");
            return;
        }
        var backend = backends[(int)((uint)Interlocked.Increment(ref _next) % (uint)backends.Length)];
        await forwarder.SendAsync(http, "http://" + backend, _client, _config, KeepHost.Instance);
    }

    // kube-proxy rewrites only the destination address: the request keeps the Host (or :authority) its client sent,
    // which is how a backend serving several Services (the scale-to-zero activator) tells them apart.
    private sealed class KeepHost : HttpTransformer
    {
        public static readonly KeepHost Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(deadline.Token);
        await _app.DisposeAsync();
        _client.Dispose();
    }
}
