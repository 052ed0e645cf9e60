namespace ModelOperator.Runtime.Server;

/// <summary>
/// <c>POST /v2/repository/index</c> of the model repository extension (as Triton and KServe answer it): every model
/// this server serves with its version and state; <c>{"ready": true}</c> in the body lists only the ready ones.
/// Loading and unloading are not offered: a pod serves the one model it was started with.
/// </summary>
internal static class RepositoryEndpoints
{
    public static void MapRepository(this IEndpointRouteBuilder app) =>
        app.MapPost("/v2/repository/index", async (HttpContext context, ModelRegistry registry) =>
        {
            var readyOnly = false;
            if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                using var body = await RequestBody.ReadAsync(context.Request, 64 * 1024, context.RequestAborted);
                readyOnly = RepositoryIndexRequest.ReadyOnly(body.Span);
            }
            return Results.Json(registry.Models
                .Where(m => !readyOnly || m.State == ModelState.Ready)
                .Select(m => new
                {
                    name = m.Name,
                    version = m.Version,
                    state = m.State == ModelState.Ready ? "READY" : "UNAVAILABLE",
                    reason = m.State == ModelState.Ready ? "" : m.Failure ?? m.State.ToString().ToLowerInvariant(),
                }));
        });
}
