using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelOperator.KubeDouble.Faults;
using ModelOperator.KubeDouble.Logging;
using ModelOperator.KubeDouble.Validation;
using ModelOperator.KubeDouble.Watch;

namespace ModelOperator.KubeDouble.Http;

/// <summary>
/// Routes resource requests to the handler of their verb, after injected faults, and turns every refusal into a
/// Status body. Every request (resource or not) lands in the request log with the status code it got.
/// </summary>
internal sealed class ApiDispatcher(ApiContext api, ApiRequestParser parser, RequestLog log, ILogger logger)
{
    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        ApiRequest? request = null;
        var warnings = FieldValidation.Begin(http.Request.Query["fieldValidation"].ToString());
        http.Response.OnStarting(() =>
        {
            lock (warnings)
                foreach (var warning in warnings) http.Response.Headers.Append("Warning", $"299 - \"{warning}\"");
            Record(http, request);
            return Task.CompletedTask;
        });
        try
        {
            request = parser.Parse(http);
            if (request is null) { await next(http); return; }
            if (api.Faults.Match(request) is { } fault && await InjectAsync(http, fault)) return;
            await (request.Verb switch
            {
                "get" => new GetHandler(api).HandleAsync(request),
                "list" => new ListHandler(api).HandleAsync(request),
                "watch" => new WatchHandler(api).HandleAsync(request),
                "create" when request.Subresource == "binding" => new BindingHandler(api).HandleAsync(request),
                "create" => new CreateHandler(api).HandleAsync(request),
                "update" => new UpdateHandler(api).HandleAsync(request),
                "patch" => new PatchHandler(api).HandleAsync(request),
                "delete" => new DeleteHandler(api).HandleAsync(request),
                "deletecollection" => new DeleteCollectionHandler(api).HandleAsync(request),
                _ => throw ApiException.MethodNotAllowed($"unsupported verb {request.Verb}"),
            });
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            await JsonResponse.WriteAsync(http, e.Code, e.ToStatus());
        }
        catch (Exception e) when (!http.Response.HasStarted && e is not OperationCanceledException)
        {
            logger.LogError(e, "Request failed {Method} {Path}", http.Request.Method, http.Request.Path);
            await JsonResponse.WriteAsync(http, 500, StatusBody.Failure(500, "InternalError", $"Internal error occurred: {e.Message}"));
        }
    }

    private async Task<bool> InjectAsync(HttpContext http, FaultRule fault)
    {
        if (fault.Latency > TimeSpan.Zero) await Task.Delay(fault.Latency, http.RequestAborted);
        if (fault.StatusCode is not { } code) return false;
        var reason = code switch
        {
            409 => "Conflict", 410 => "Expired", 429 => "TooManyRequests", 500 => "InternalError", 503 => "ServiceUnavailable",
            504 => "Timeout", 404 => "NotFound", 403 => "Forbidden", 422 => "Invalid", _ => "Unknown",
        };
        var message = fault.Message ?? $"injected fault: {reason}";
        if (code == 429) http.Response.Headers.RetryAfter = "1";
        await JsonResponse.WriteAsync(http, code, StatusBody.Failure(code, reason, message, new JsonObject { ["causes"] = new JsonArray() }));
        return true;
    }

    private void Record(HttpContext http, ApiRequest? request)
    {
        var query = http.Request.Query;
        var contentType = http.Request.ContentType ?? "";
        var patchType = http.Request.Method != "PATCH" ? null
            : contentType.Contains("apply-patch") ? "apply" : contentType.Contains("strategic") ? "strategic"
            : contentType.Contains("json-patch") ? "json" : contentType.Contains("merge-patch") ? "merge" : contentType;
        log.Add(new RequestRecord(
            request?.Verb ?? http.Request.Method.ToLowerInvariant(), http.Request.Method, http.Request.Path + http.Request.QueryString,
            request?.Type.Group ?? "", request?.Type.Version ?? "", request?.Type.Plural ?? "", request?.Subresource,
            request?.Namespace, request?.Name, http.Response.StatusCode,
            query["fieldManager"].Count > 0 ? query["fieldManager"].ToString() : null,
            http.Request.Headers.UserAgent.ToString(), DateTimeOffset.UtcNow, patchType, query["dryRun"].Count > 0));
    }
}
