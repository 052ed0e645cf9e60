using System.Net;
using Grpc.AspNetCore.HealthChecks;
using Grpc.AspNetCore.Server.Model;
using Grpc.Health.V1;
using Grpc.Reflection;
using Grpc.Reflection.V1Alpha;
using ModelOperator.Runtime.Grpc.Inference;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelOperator.Runtime.Grpc;
using ModelOperator.Runtime.Metrics;
using ModelOperator.Runtime.Shadow;
using Prometheus;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// The <c>serve</c> server: Kestrel with the OIP v2 REST endpoints and <c>/metrics</c> on one port and, unless turned
/// off, OIP v2 over gRPC (with the standard health service and reflection) on another. It starts listening at once (live),
/// then loads and benchmarks the model in the background and turns ready. Stopping turns it not ready, keeps serving for
/// the shutdown delay, then stops listening and drains in-flight requests.
/// </summary>
internal sealed class ModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _stopLock = new();
    private Task? _stopping;

    private ModelServer(WebApplication app, ServedModel model, RuntimeMetrics metrics, Uri baseAddress, Uri? grpcAddress)
    {
        _app = app; Model = model; Metrics = metrics; BaseAddress = baseAddress; GrpcAddress = grpcAddress;
    }

    public ServedModel Model { get; }
    public RuntimeMetrics Metrics { get; }
    public Uri BaseAddress { get; }

    /// <summary>Where gRPC is served (<c>http://host:port/</c>, HTTP/2 only); null when it is off.</summary>
    public Uri? GrpcAddress { get; }

    /// <summary>Where the management port listens (<c>/v2/_shadow</c>); null when it is off.</summary>
    public Uri? ManagementAddress { get; private init; }

    /// <summary>Completes when the model is ready; faults when it cannot be loaded.</summary>
    public Task Loading { get; private set; } = Task.CompletedTask;

    public static async Task<ModelServer> StartAsync(ServeOptions options, Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        else RuntimeLogging.Configure(builder.Logging);
        // A failure to start (a busy port) is thrown to the caller, which reports it in one line; the host's own
        // log of it would add a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes + RequestBody.DrainAllowance;
            k.Listen(IPAddress.Parse(options.Host), options.Port);
            // gRPC gets its own HTTP/2-only endpoint: cleartext HTTP/2 needs prior knowledge, which gRPC clients have.
            if (options.GrpcPort is { } grpcPort)
                k.Listen(IPAddress.Parse(options.Host), grpcPort, l => l.Protocols = HttpProtocols.Http2);
            if (options.ManagementPort is { } managementPort)
                k.Listen(IPAddress.Parse(options.Host), managementPort);
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownDelay + options.DrainTimeout);
        var metrics = new RuntimeMetrics();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(new InflightBytes(options.MaxInflightBytes ?? InflightBytes.DefaultLimit()));
        var managementPort = new ManagementPort();
        builder.Services.AddSingleton(managementPort);
        builder.Services.AddSingleton(sp => new ShadowMirror(new ShadowMetrics(metrics.Registry), sp.GetRequiredService<ILoggerFactory>().CreateLogger("ModelRuntime.Shadow")));
        builder.Services.AddSingleton(sp => new ServedModel(options, metrics, sp.GetRequiredService<ILoggerFactory>().CreateLogger("ModelRuntime.Model")));
        builder.Services.AddSingleton(sp => new ModelRegistry([sp.GetRequiredService<ServedModel>()]));
        builder.Services.AddHostedService<ShutdownDelay>();
        if (options.GrpcPort is not null) AddGrpc(builder.Services, options);
        var app = builder.Build();
        var model = app.Services.GetRequiredService<ServedModel>();

        // The management port answers only its own endpoints, and they answer on no other port.
        if (options.ManagementPort is not null) app.UseManagementPort(managementPort);
        app.UseMiddleware<InferenceMetricsMiddleware>();
        app.UseJsonStatusPages();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseMiddleware<HttpFramingMiddleware>();
        if (options.GrpcPort is not null) app.UseMiddleware<GrpcRequestMessageGate>();
        app.MapHealth();
        app.MapMetadata();
        app.MapRepository();
        app.MapInference();
        if (options.EnableNoopEndpoint) app.MapNoop();
        if (options.ManagementPort is not null) app.MapShadow(managementPort);
        app.MapMetrics("/metrics", metrics.Registry);
        if (options.GrpcPort is not null) MapGrpc(app);

        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        var address = addresses[0];
        var grpcAddress = options.GrpcPort is null ? null : addresses[1];
        var managementAddress = options.ManagementPort is null ? null : Reachable(addresses[^1]);
        managementPort.Port = managementAddress?.Port;
        var server = new ModelServer(app, model, metrics, Reachable(address), grpcAddress is null ? null : Reachable(grpcAddress)) { ManagementAddress = managementAddress };
        app.Logger.LogInformation("Listening on {Address} for model {Model}", address, model.Name);
        if (grpcAddress is not null) app.Logger.LogInformation("Listening for gRPC on {GrpcAddress} for model {Model}", grpcAddress, model.Name);
        var self = server.BaseAddress;
        server.Loading = model.StartAsync(app.Lifetime.ApplicationStopping,
            options.WarmUp ? (onnx, shapes, ct) => HttpWarmUp.RunAsync(self, model.Name, onnx, shapes, ct) : null);
        return server;
    }

    private static Uri Reachable(string address) =>
        new(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));

    private static void AddGrpc(IServiceCollection services, ServeOptions options)
    {
        services.AddGrpc(g =>
        {
            // The same limit as a REST body; a larger message is refused with RESOURCE_EXHAUSTED before it is decoded.
            g.MaxReceiveMessageSize = (int)Math.Min(options.MaxBodyBytes, int.MaxValue);
            g.MaxSendMessageSize = null;
            g.Interceptors.Add<GrpcMetricsInterceptor>();
            g.Interceptors.Add<GrpcErrorInterceptor>();
        });
        // The inference methods are mapped through GrpcInferenceMethods (no generated binding), so reflection is told
        // the services it describes rather than finding them from the mapped types.
        services.AddSingleton<GrpcInferenceService>();
        services.AddSingleton<GrpcInferenceMethods>();
        services.AddSingleton<IServiceMethodProvider<GrpcInferenceMethods>, GrpcInferenceMethods.Provider>();
        services.AddSingleton(new ReflectionServiceImpl(
            GRPCInferenceService.Descriptor, Health.Descriptor, ServerReflection.Descriptor));
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(h =>
        {
            // Answer each Check from the model's state now, not from a periodically published result, so a probe
            // sees SERVING the moment the model is ready.
            h.UseHealthChecksCache = false;
            h.Services.Map(GrpcInferenceServiceName, _ => true);
        }).AddCheck<ModelReadinessHealthCheck>("model");
    }

    private static void MapGrpc(WebApplication app)
    {
        app.MapGrpcService<GrpcInferenceMethods>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
    }

    /// <summary>The OIP v2 gRPC service's full name, also a service name the health service answers for.</summary>
    public const string GrpcInferenceServiceName = "inference.GRPCInferenceService";

    /// <summary>Waits until the server is asked to stop (SIGTERM, Ctrl+C, or <paramref name="cancellationToken"/>), then stops it.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (cancellationToken.Register(() => _app.Lifetime.StopApplication()))
        await using (_app.Lifetime.ApplicationStopping.Register(() => asked.TrySetResult()))
            await asked.Task;
        // Not the host's own WaitForShutdownAsync: it stops the host itself, and StopAsync below (or DisposeAsync) would
        // stop it a second time, running the shutdown delay twice.
        await StopAsync();
    }

    /// <summary>
    /// Stops accepting requests, marks the model not ready, lets in-flight requests finish, then frees the model; once,
    /// however many callers ask (a signal and a dispose may both), each waiting for the same stop.
    /// </summary>
    public Task StopAsync()
    {
        lock (_stopLock) return _stopping ??= StopOnceAsync();
    }

    private async Task StopOnceAsync()
    {
        await _app.StopAsync();
        try { await Loading; } catch (Exception) { /* the load error was logged when it happened */ }
        await Model.DisposeAsync();
        _app.Logger.LogInformation("Stopped serving model {Model}: in-flight requests drained", Model.Name);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
