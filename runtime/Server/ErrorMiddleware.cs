using Microsoft.ML.OnnxRuntime;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// Turns every failure into <c>{"error": "…"}</c> with the right status: the protocol's own errors as they are,
/// Kestrel's limits (413 and friends), a body that cannot be read (malformed chunked framing) as 400, ONNX Runtime
/// rejecting an input as 400, and anything else as a logged 500. A client's mistake is never logged above debug level:
/// an unauthenticated client could otherwise fill the log. Messages are cut to <see cref="ClientText.MaxMessage"/>.
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
            if (e.CloseConnection) context.Response.Headers.Connection = "close";
            await WriteAsync(context, e.StatusCode, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await WriteAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"the request body is over the limit: {e.Message}" : e.Message);
        }
        catch (IOException e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some framing errors a client causes as IOException rather than BadHttpRequestException: a
            // chunk size past 64 bits (ffffffffffffffff) among them.
            logger.LogDebug(e, "Could not read the body of {Method} {Path}", context.Request.Method, context.Request.Path.Value);
            context.Response.Headers.Connection = "close";
            await WriteAsync(context, StatusCodes.Status400BadRequest, $"the request body could not be read: {e.Message}");
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
        var connection = context.Response.Headers.Connection;
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (retryAfter.Count > 0) context.Response.Headers.RetryAfter = retryAfter;
        if (connection.Count > 0) context.Response.Headers.Connection = connection;
        await context.Response.WriteAsJsonAsync(new { error = ClientText.Message(message) });
    }
}
