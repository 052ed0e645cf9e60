namespace ModelOperator.Runtime.Server;

/// <summary>
/// Gives the answers ASP.NET Core leaves empty (404 for an unknown path, 405 for a wrong method, …) the same
/// <c>{"error": "…"}</c> body as every other error, naming the path and, for 405, the methods it takes.
/// </summary>
internal static class JsonStatusPages
{
    public static void UseJsonStatusPages(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var path = Protocol.ClientText.Cut(http.Request.Path.Value);
            var status = http.Response.StatusCode;
            var message = status switch
            {
                StatusCodes.Status404NotFound => $"no such endpoint: {http.Request.Method} {path}",
                StatusCodes.Status405MethodNotAllowed =>
                    $"method {http.Request.Method} is not allowed on {path}" +
                    (http.Response.Headers.Allow.Count > 0 ? $"; it takes {http.Response.Headers.Allow}" : ""),
                _ => $"{http.Request.Method} {path} answered {status}",
            };
            await http.Response.WriteAsJsonAsync(new { error = message });
        });
}
