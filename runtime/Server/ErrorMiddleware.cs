using Microsoft.ML.OnnxRuntime;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// Turns every failure into <c>{"error": "…"}</c> with the right status: the protocol's own errors as they are,
/// Kestrel's limits (413 and friends), ONNX Runtime rejecting an input as 400, and anything else as a logged 500.
/// </summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (ProtocolException e)
        {
            if (e.RetryAfterSeconds is { } seconds && !context.Response.HasStarted)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                // Read and drop an unread body, so a client still sending sees the answer rather than a reset.
                await RequestBody.DiscardAsync(context.Request, context.RequestAborted);
            }
            await WriteAsync(context, e.StatusCode, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await WriteAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"the request body is over the limit: {e.Message}" : e.Message);
        }
        catch (OnnxRuntimeException e)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, $"the model could not run on this input: {e.Message}");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Failed to handle {Method} {Path}", context.Request.Method, context.Request.Path.Value);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, $"internal error: {e.Message}");
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }
        var retryAfter = context.Response.Headers.RetryAfter;
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (retryAfter.Count > 0) context.Response.Headers.RetryAfter = retryAfter;
        await context.Response.WriteAsJsonAsync(new { error = message });
    }
}
