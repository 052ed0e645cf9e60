using System.Text.Json;

namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// The management port's endpoint for shadow rollouts, called by the operator (never by users: the model's Service
/// does not expose the port; no NetworkPolicy guards runtime pods, so the Service's ports are what keep users off it):
/// <c>PUT /v2/_shadow</c> <c>{"url": "http://md-shadow.ns:8080", "grpcUrl": "http://md-shadow.ns:8081", "fraction": 0.1,
/// "timeoutSeconds": 2}</c> starts or
/// changes mirroring at once, without a restart; <c>DELETE /v2/_shadow</c> stops it; <c>GET /v2/_shadow</c> answers the
/// target and the latest disagreements (request id, output, both top-1 indices).
/// </summary>
internal static class ShadowEndpoints
{
    public const string Path = "/v2/_shadow";

    /// <summary>Confines the management port to its endpoints, and its endpoints to the management port (404 elsewhere).</summary>
    public static void UseManagementPort(this IApplicationBuilder app, ManagementPort port) => app.Use(async (context, next) =>
    {
        var onManagement = port.Serves(context);
        var forManagement = context.Request.Path.StartsWithSegments(Path);
        if (onManagement != forManagement)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await next(context);
    });

    public static void MapShadow(this IEndpointRouteBuilder app, ManagementPort port)
    {
        app.MapGet(Path, (ShadowMirror mirror) => Results.Json(State(mirror)));
        app.MapDelete(Path, (ShadowMirror mirror) =>
        {
            mirror.SetTarget(null);
            return Results.Json(State(mirror));
        });
        app.MapPut(Path, async (HttpContext context, ShadowMirror mirror) =>
        {
            string? url = null, grpcUrl = null;
            double? fraction = null, timeout = null;
            try
            {
                using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return Error("the body must be a JSON object {\"url\", \"fraction\", \"timeoutSeconds\"}");
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "url" when p.Value.ValueKind == JsonValueKind.String: url = p.Value.GetString(); break;
                        case "grpcUrl" when p.Value.ValueKind == JsonValueKind.String: grpcUrl = p.Value.GetString(); break;
                        case "fraction" when p.Value.ValueKind == JsonValueKind.Number: fraction = p.Value.GetDouble(); break;
                        case "timeoutSeconds" when p.Value.ValueKind == JsonValueKind.Number: timeout = p.Value.GetDouble(); break;
                        case "url" or "grpcUrl" or "fraction" or "timeoutSeconds": return Error($"'{p.Name}' has the wrong type ({p.Value.ValueKind})");
                        default: return Error($"unknown field '{p.Name}' (known: url, grpcUrl, fraction, timeoutSeconds)");
                    }
                }
            }
            catch (JsonException e)
            {
                return Error($"the body is not JSON: {e.Message}");
            }
            if (ShadowTarget.Validate(url, grpcUrl, fraction, timeout, out var target) is { } error) return Error(error);
            mirror.SetTarget(target);
            return Results.Json(State(mirror));
        });
    }

    private static IResult Error(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);

    private static object State(ShadowMirror mirror) => new
    {
        target = mirror.Target is { } t ? new { url = t.Url.ToString(), grpcUrl = t.GrpcUrl?.ToString(), fraction = t.Fraction, timeoutSeconds = t.Timeout.TotalSeconds } : null,
        examples = mirror.Examples().Select(e => new { requestId = e.RequestId, output = e.Output, why = e.Why }),
    };
}
