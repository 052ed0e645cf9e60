using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelOperator.Runtime.Server;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// What <c>grpc.health.v1.Health</c> answers: SERVING when every model is ready (as <c>/v2/health/ready</c> is 200),
/// NOT_SERVING while loading, benchmarking, failed or stopping.
/// </summary>
internal sealed class ModelReadinessHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notReady = registry.Models.Where(m => m.State != ModelState.Ready).ToList();
        return Task.FromResult(notReady.Count == 0
            ? HealthCheckResult.Healthy("every model is ready")
            : HealthCheckResult.Unhealthy(string.Join("; ", notReady.Select(m => $"model '{m.Name}' is {m.State.ToString().ToLowerInvariant()}"))));
    }
}
