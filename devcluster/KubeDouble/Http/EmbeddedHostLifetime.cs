using Microsoft.Extensions.Hosting;

namespace ModelOperator.KubeDouble.Http;

/// <summary>
/// Keeps the web host from taking over Ctrl-C and SIGTERM: the double is embedded in test processes, whose
/// signals are not its to handle. The kube-double executable handles them itself.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
