namespace ModelOperator.Runtime.Server;

/// <summary><c>/v2/health/live</c> and <c>/v2/health/ready</c>: a status code for probes and a small JSON body for people.</summary>
internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2/health/live", () => Results.Json(new { live = true }));
        app.MapGet("/v2/health/ready", (ModelRegistry registry) =>
        {
            var notReady = registry.Models.Where(m => m.State != ModelState.Ready).ToList();
            return notReady.Count == 0
                ? Results.Json(new { ready = true })
                : Results.Json(new
                {
                    ready = false,
                    models = notReady.Select(m => new { name = m.Name, state = m.State.ToString().ToLowerInvariant(), error = m.Failure }),
                }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
