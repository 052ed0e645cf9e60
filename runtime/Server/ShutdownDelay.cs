namespace ModelOperator.Runtime.Server;

/// <summary>
/// Where stopping begins: marks the model not ready, then holds the host's shutdown for
/// <see cref="ServeOptions.ShutdownDelay"/> before Kestrel stops listening. The host calls <see cref="StoppingAsync"/>
/// before it stops the web server, whether the stop came from SIGTERM or from a caller.
/// </summary>
internal sealed class ShutdownDelay(ServedModel model, ServeOptions options, ILogger<ShutdownDelay> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        model.MarkStopping();
        if (options.ShutdownDelay <= TimeSpan.Zero) return;
        logger.LogInformation("Stopping in {DelaySeconds} s: not ready, still serving requests until endpoints are updated",
            options.ShutdownDelay.TotalSeconds);
        try { await Task.Delay(options.ShutdownDelay, cancellationToken); }
        catch (OperationCanceledException) { /* the shutdown timeout ended the delay early */ }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
