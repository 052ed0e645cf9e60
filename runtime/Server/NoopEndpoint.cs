namespace ModelOperator.Runtime.Server;

/// <summary>
/// <c>POST /v2/_noop</c>, a benchmark aid enabled by <c>--enable-noop-endpoint</c>: it reads the body as infer does and
/// answers a small JSON without inference, so <c>make bench</c> can measure the transport's ceiling on the same stack.
/// </summary>
internal static class NoopEndpoint
{
    public static void MapNoop(this IEndpointRouteBuilder app) =>
        app.MapPost("/v2/_noop", async (HttpContext context, ServeOptions options) =>
        {
            using var body = await RequestBody.ReadAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
            return Results.Json(new { bytes = body.Length });
        });
}
