using System.Net;
using System.Text.Json;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;

namespace ModelOperator.Activator;

/// <summary>
/// The activator's listeners: models' HTTP/1.1 requests on one port, their gRPC (cleartext HTTP/2) on another, and
/// /metrics, /healthz and /readyz on a third. Each model request is resolved to its model (<see cref="RouteTable"/>),
/// held or passed (<see cref="RequestHolder"/>), then forwarded once through YARP's forwarder to a ready pod.
/// </summary>
internal sealed class ActivatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop;
    private readonly Task _directory;

    private ActivatorServer(WebApplication app, CancellationTokenSource stop, Task directory)
    {
        _app = app;
        _stop = stop;
        _directory = directory;
    }

    public static async Task<ActivatorServer> StartAsync(ActivatorOptions options, Kubernetes client, ILoggerFactory loggers, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddHttpForwarder();
        var address = IPAddress.Parse(options.Address);
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(address, options.HttpPort, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(address, options.GrpcPort, l => l.Protocols = HttpProtocols.Http2);
            k.Listen(address, options.MetricsPort, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var logger = loggers.CreateLogger("ModelActivator");
        var registry = Metrics.NewCustomRegistry();
        var metrics = new ActivatorMetrics(registry);
        var directory = new ModelDirectory(client, options.WatchNamespaces, options.WatchTimeout, loggers);
        var holder = new RequestHolder(directory, metrics, TimeProvider.System, logger);
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5), EnableMultipleHttp2Connections = true,
        });
        var http1 = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10), Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var http2 = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        app.Run(async http =>
        {
            var port = http.Connection.LocalPort;
            if (port == options.MetricsPort)
            {
                await ServeOwnAsync(http, registry, directory);
                return;
            }
            var grpc = port == options.GrpcPort;
            var route = directory.Table.Resolve(http.Request.Host.Value, http.Request.Path.Value);
            if (route is null)
            {
                await ErrorAsync(http, StatusCodes.Status404NotFound, "UnknownModel",
                    $"no scale-to-zero ModelDeployment answers to host '{http.Request.Host.Value}' or path '{http.Request.Path.Value}'", null);
                return;
            }
            // The pod address the request arrived on says which replica this is, for its share of maxHeldRequests.
            var self = http.Connection.LocalIpAddress is { } local ? (local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local).ToString() : null;
            switch (await holder.HoldAsync(route, grpc, http.RequestAborted, self))
            {
                case HoldOutcome.Forward forward:
                    metrics.Forwarded.WithLabels(route.Namespace, route.Name).Inc();
                    if (forward.Held > TimeSpan.Zero)
                        logger.LogInformation("Forwarding a request for {Model} held {Seconds:0.###} s to {Backend}", route.Key, forward.Held.TotalSeconds, forward.Backend);
                    await forwarder.SendAsync(http, "http://" + forward.Backend, invoker, grpc ? http2 : http1, HttpTransformer.Default);
                    break;
                case HoldOutcome.Unavailable unavailable:
                    await ErrorAsync(http, StatusCodes.Status503ServiceUnavailable, unavailable.Reason, unavailable.Message, unavailable.RetryAfterSeconds);
                    break;
            }
        });
        await app.StartAsync(ct);
        var stop = new CancellationTokenSource();
        logger.LogInformation("model-activator listening: http {Http}, grpc {Grpc}, metrics {Metrics}", options.HttpPort, options.GrpcPort, options.MetricsPort);
        return new ActivatorServer(app, stop, directory.RunAsync(stop.Token));
    }

    private static async Task ServeOwnAsync(HttpContext http, CollectorRegistry registry, ModelDirectory directory)
    {
        switch (http.Request.Path.Value)
        {
            case "/metrics":
                http.Response.ContentType = "text/plain; version=0.0.4";
                await registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
                break;
            case "/healthz":
                await http.Response.WriteAsync("ok");
                break;
            case "/readyz":
                if (directory.Synced.IsCompleted) await http.Response.WriteAsync("ok");
                else { http.Response.StatusCode = 503; await http.Response.WriteAsync("not synced"); }
                break;
            default:
                http.Response.StatusCode = 404;
                break;
        }
    }

    private static async Task ErrorAsync(HttpContext http, int status, string reason, string message, int? retryAfter)
    {
        http.Response.StatusCode = status;
        if (retryAfter is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message, ["reason"] = reason }));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _directory; } catch (OperationCanceledException) { }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(deadline.Token);
        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
