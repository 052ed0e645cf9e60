using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Controllers;
using ModelOperator.Operator.Runtime;
using Prometheus;

namespace ModelOperator.Operator;

/// <summary>
/// One operator instance: health and metrics endpoints, leader election on a Lease, and the ModelDeployment
/// controller while this instance leads. A leader that loses its lease stops acting at once and
/// <see cref="Completion"/> ends with <see cref="StopReason.LeadershipLost"/>; the process then exits.
/// </summary>
public sealed class OperatorHost : IAsyncDisposable
{
    private readonly Kubernetes _client;
    private readonly OperatorOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly WebApplication _web;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<StopReason> _completion = Task.FromResult(StopReason.Stopped);
    private volatile bool _isLeader;

    private OperatorHost(Kubernetes client, OperatorOptions options, ILoggerFactory loggers, WebApplication web)
    {
        (_client, _options, _loggers, _web) = (client, options, loggers, web);
        _logger = loggers.CreateLogger("ModelOperator");
    }

    /// <summary>Why an instance stopped.</summary>
    public enum StopReason { /** <summary>Asked to stop.</summary> */ Stopped, /** <summary>Lost the leader lease.</summary> */ LeadershipLost }

    /// <summary>The instance's metrics.</summary>
    public OperatorMetrics Metrics { get; } = new();

    /// <summary>Where /metrics, /healthz and /readyz answer.</summary>
    public Uri HttpAddress { get; private set; } = null!;

    /// <summary>True while this instance holds the lease (always, without leader election).</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The identity written into the Lease.</summary>
    public string Identity => _options.Identity;

    /// <summary>Completes once this instance leads and its caches are synced.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Ends when the instance stops, saying why.</summary>
    public Task<StopReason> Completion => _completion;

    /// <summary>Starts an instance against the API server <paramref name="config"/> points at.</summary>
    public static async Task<OperatorHost> StartAsync(KubernetesClientConfiguration config, OperatorOptions options, ILoggerFactory loggers)
    {
        var client = new Kubernetes(config, new UserAgentHandler($"model-operator/{options.Identity}"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.HttpAddress);
        var web = builder.Build();
        var host = new OperatorHost(client, options, loggers, web);
        host.MapEndpoints();
        await web.StartAsync().ConfigureAwait(false);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.HttpAddress = new Uri(address.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1"));
        host._completion = Task.Run(host.RunAsync);
        host._logger.LogInformation("Started model-operator {Identity}, endpoints at {Address}", options.Identity, host.HttpAddress);
        return host;
    }

    private void MapEndpoints()
    {
        _web.MapGet("/healthz", () => _completion.IsFaulted ? Results.Problem("controller failed") : Results.Text("ok"));
        _web.MapGet("/readyz", () => !_isLeader || _synced.Task.IsCompleted
            ? Results.Text(_isLeader ? "leading" : "standby") : Results.Text("syncing", statusCode: 503));
        _web.MapGet("/metrics", async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4";
            await Metrics.Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        });
    }

    private async Task<StopReason> RunAsync()
    {
        if (!_options.LeaderElection)
        {
            _isLeader = true;
            Metrics.Leader.Set(1);
            await RunControllerAsync(_stop.Token, graceful: true).ConfigureAwait(false);
            return StopReason.Stopped;
        }
        var leaseLock = new LeaseLock(_client, _options.LeaseNamespace, _options.LeaseName, _options.Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration, RenewDeadline = _options.RenewDeadline, RetryPeriod = _options.RetryPeriod,
        });
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Task controller = Task.CompletedTask;
        elector.OnStartedLeading += () =>
        {
            _isLeader = true;
            Metrics.Leader.Set(1);
            _logger.LogInformation("Acquired leader lease {Lease} as {Identity}", _options.LeaseName, _options.Identity);
            controller = Task.Run(() => RunControllerAsync(leading.Token, graceful: false));
        };
        elector.OnStoppedLeading += () =>
        {
            _isLeader = false;
            Metrics.Leader.Set(0);
            leading.Cancel(); // a leader without the lease must not write another byte
        };
        try { await elector.RunUntilLeadershipLostAsync(_stop.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        _isLeader = false;
        Metrics.Leader.Set(0);
        await leading.CancelAsync().ConfigureAwait(false);
        await controller.ConfigureAwait(false);
        if (_stop.IsCancellationRequested) return StopReason.Stopped;
        _logger.LogError("Lost leader lease {Lease}; stopped acting and exiting", _options.LeaseName);
        return StopReason.LeadershipLost;
    }

    private async Task RunControllerAsync(CancellationToken stop, bool graceful)
    {
        using var abort = new CancellationTokenSource();
        await using var registration = stop.Register(() =>
        {
            if (graceful) abort.CancelAfter(_options.ShutdownGrace); else abort.Cancel();
        });
        var controller = new ModelDeploymentController(_client, _options, Metrics, TimeProvider.System, _loggers);
        _ = controller.Synced.ContinueWith(_ => _synced.TrySetResult(), TaskScheduler.Default);
        await controller.RunAsync(stop, abort.Token).ConfigureAwait(false);
    }

    /// <summary>Graceful shutdown: stop taking work, let in-flight reconciles finish within the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _completion.WaitAsync(_options.ShutdownGrace + TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (TimeoutException) { _logger.LogWarning("Shutdown grace period ran out"); }
        await _web.StopAsync().ConfigureAwait(false);
        await _web.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
        _stop.Dispose();
        _logger.LogInformation("Stopped model-operator {Identity}", _options.Identity);
    }
}
