using System.Diagnostics;
using ModelOperator.Runtime.Metrics;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// Counts and times inference requests per model and outcome, and tracks how many are in flight. Only names this
/// server serves become label values, so made-up model names in URLs cannot grow the metric set.
/// </summary>
internal sealed class InferenceMetricsMiddleware(RequestDelegate next, RuntimeMetrics metrics, ModelRegistry registry)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var model = ModelOf(context.Request);
        if (model is null || registry.Find(model, null).State == ModelState.Warming)
        {
            await next(context);
            return;
        }
        var inFlight = metrics.InFlight.WithLabels(model);
        inFlight.Inc();
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            inFlight.Dec();
            var outcome = Outcome(context.Response.StatusCode);
            metrics.Requests.WithLabels(model, outcome).Inc();
            metrics.RequestDuration.WithLabels(model, outcome).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private string? ModelOf(HttpRequest request)
    {
        var path = request.Path.Value;
        if (path is null || !HttpMethods.IsPost(request.Method) || !path.StartsWith("/v2/models/", StringComparison.Ordinal)
            || !path.EndsWith("/infer", StringComparison.Ordinal)) return null;
        var rest = path.AsSpan("/v2/models/".Length);
        var name = rest[..rest.IndexOf('/')].ToString();
        return registry.Contains(name) ? name : null;
    }

    private static string Outcome(int status) => status switch
    {
        < 400 => "success",
        < 500 => "client_error",
        // A transfer coding the client chose and this server does not implement (HttpFramingMiddleware).
        StatusCodes.Status501NotImplemented => "client_error",
        _ => "server_error",
    };
}
