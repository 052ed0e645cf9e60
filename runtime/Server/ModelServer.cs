using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelOperator.Runtime.Metrics;
using Prometheus;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// The <c>serve</c> server: Kestrel with the OIP v2 endpoints and <c>/metrics</c>. It starts listening at once (live),
/// then loads and benchmarks the model in the background and turns ready. Stopping drains in-flight requests first.
/// </summary>
internal sealed class ModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private ModelServer(WebApplication app, ServedModel model, RuntimeMetrics metrics, Uri baseAddress)
    {
        _app = app; Model = model; Metrics = metrics; BaseAddress = baseAddress;
    }

    public ServedModel Model { get; }
    public RuntimeMetrics Metrics { get; }
    public Uri BaseAddress { get; }

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
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.DrainTimeout);
        var metrics = new RuntimeMetrics();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(new InflightBytes(options.MaxInflightBytes ?? InflightBytes.DefaultLimit()));
        builder.Services.AddSingleton(sp => new ServedModel(options, metrics, sp.GetRequiredService<ILoggerFactory>().CreateLogger("ModelRuntime.Model")));
        builder.Services.AddSingleton(sp => new ModelRegistry([sp.GetRequiredService<ServedModel>()]));
        var app = builder.Build();
        var model = app.Services.GetRequiredService<ServedModel>();

        app.UseMiddleware<InferenceMetricsMiddleware>();
        app.UseJsonStatusPages();
        app.UseMiddleware<ErrorMiddleware>();
        app.MapHealth();
        app.MapMetadata();
        app.MapRepository();
        app.MapInference();
        if (options.EnableNoopEndpoint) app.MapNoop();
        app.MapMetrics("/metrics", metrics.Registry);
        app.Lifetime.ApplicationStopping.Register(model.MarkStopping);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new ModelServer(app, model, metrics, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
        app.Logger.LogInformation("Listening on {Address} for model {Model}", address, model.Name);
        server.Loading = model.StartAsync(app.Lifetime.ApplicationStopping);
        return server;
    }

    /// <summary>Waits until the server is asked to stop (SIGTERM, Ctrl+C, or <paramref name="cancellationToken"/>).</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        await using var _ = cancellationToken.Register(() => _app.Lifetime.StopApplication());
        await _app.WaitForShutdownAsync(CancellationToken.None);
    }

    /// <summary>Stops accepting requests, marks the model not ready, lets in-flight requests finish, then frees the model.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
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
